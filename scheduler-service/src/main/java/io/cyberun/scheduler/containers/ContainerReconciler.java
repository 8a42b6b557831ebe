package io.cyberun.scheduler.containers;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.common.container.ReplicaRecords.Assignment;
import io.cyberun.common.container.ReplicaRecords.Report;
import io.cyberun.common.container.ReplicaRecords;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.container.DesiredService;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.scheduler.client.ContainerServiceClient;
import io.cyberun.scheduler.domain.AgentSlots;
import io.cyberun.scheduler.registry.AgentView;
import io.cyberun.scheduler.service.Outbound;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Keeps every container service's replicas where its record says, every couple of seconds: reads what task-service
 * asks for and what Redis holds (placements, agents' reports), asks {@link ReplicaPlanner} what to change, and carries
 * it out (start and stop commands through the agents' hubs, the records, the route calls take, the status reported
 * back to task-service). Level-triggered, so a restart of anything, or a lost command, is mended by the next pass.
 * One scheduler replica does it at a time (a lease in Redis).
 */
@ApplicationScoped
public class ContainerReconciler {
    private static final Logger LOG = Logger.getLogger(ContainerReconciler.class);
    static final Duration LEASE = Duration.ofSeconds(6);
    /**
     * After Redis is found without the container records (a first start, or Redis lost them), nothing new is placed for
     * this long: agents report what they run every 10 s, and those replicas are adopted instead of started again.
     */
    static final Duration HOLD = Duration.ofSeconds(12);

    private final RedisDataSource redis;
    private final HashCommands<String, String, String> hashes;
    private final ReplicaRecords records;
    private final ContainerServiceClient client;
    private final AgentView view;
    private final Outbound out;
    private final PrincipalTokens tokens;
    private final InstanceIdentity identity;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final String me = UUID.randomUUID().toString();

    public ContainerReconciler(RedisDataSource redis, CyberunConfig config, @RestClient ContainerServiceClient client, AgentView view,
                               Outbound out, PrincipalTokens tokens, InstanceIdentity identity, Clock clock) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.records = new ReplicaRecords(config.redis().keyPrefix());
        this.client = client;
        this.view = view;
        this.out = out;
        this.tokens = tokens;
        this.identity = identity;
        this.clock = clock;
    }

    @Scheduled(every = "${cyberun.scheduler.container-pass:2s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            if (leading()) {
                pass();
            }
        } catch (RuntimeException e) {
            LOG.warnf("container services: this pass failed, the next one retries: %s", e.getMessage());
        }
    }

    /** Holds (or takes) the lease, so two scheduler replicas never place the same service's replicas. */
    boolean leading() {
        String key = records.leader();
        var set = redis.execute("SET", key, me, "NX", "PX", String.valueOf(LEASE.toMillis()));
        if (set != null) {
            return true;
        }
        var holder = redis.execute("GET", key);
        if (holder != null && me.equals(holder.toString())) {
            redis.execute("PEXPIRE", key, String.valueOf(LEASE.toMillis()));
            return true;
        }
        return false;
    }

    /** One pass over every service task-service asks for and every one Redis still has replicas of. */
    void pass() {
        String token = tokens.sign(Principal.service(identity.serviceName()));
        Map<UUID, DesiredService> desired = new LinkedHashMap<>();
        client.desired(token).services().forEach(d -> desired.put(d.serviceId(), d));
        Set<UUID> ids = new LinkedHashSet<>(desired.keySet());
        redis.set(String.class).smembers(records.services()).forEach(id -> ids.add(UUID.fromString(id)));
        Map<UUID, Map<String, Assignment>> assignments = new HashMap<>();
        Map<UUID, Map<String, Report>> reports = new HashMap<>();
        Map<String, Integer> gpus = new HashMap<>();
        for (UUID id : ids) {
            Map<String, Assignment> a = read(hashes.hgetall(records.assignments(id)), Assignment.class);
            assignments.put(id, a);
            reports.put(id, read(hashes.hgetall(records.reports(id)), Report.class));
            DesiredService d = desired.get(id);
            if (d != null && d.run()) {
                a.values().forEach(x -> gpus.merge(x.teamId() + "/" + x.agentId(),
                        ReplicaPlanner.gpus(d.template().gpuCount(), view.agent(x.teamId(), x.agentId())), Integer::sum));
            }
        }
        long now = clock.millis();
        boolean placing = placing(now);
        for (UUID id : ids) {
            DesiredService d = desired.get(id);
            Map<String, Assignment> a = assignments.get(id);
            Map<String, Report> r = reports.get(id);
            UUID team = d != null ? d.teamId() : a.values().stream().map(Assignment::teamId).findFirst()
                    .orElse(r.values().stream().map(Report::teamId).findFirst().orElse(null));
            Map<String, AgentSlots> agents = team == null ? Map.of() : view.agents(team);
            ReplicaPlanner.Plan plan;
            if (d == null || !d.run()) {
                plan = ReplicaPlanner.stopAll(a, r, agents);
            } else {
                Map<String, Integer> others = new HashMap<>();
                gpus.forEach((k, v) -> {
                    if (k.startsWith(team + "/")) {
                        others.put(k.substring(k.indexOf('/') + 1), v);
                    }
                });
                a.values().forEach(x -> others.merge(x.agentId(), -ReplicaPlanner.gpus(d.template().gpuCount(), agents.get(x.agentId())),
                        Integer::sum));
                String failures = redis.value(String.class).get(records.failures(id, d.template().generation()));
                plan = ReplicaPlanner.run(d, a, r, agents, others, failures == null ? 0 : Integer.parseInt(failures), now,
                        () -> ReplicaPlanner.newId(d.serviceSlug(), random), placing);
            }
            carryOut(id, d, plan, a, r, token);
        }
    }

    private void carryOut(UUID id, DesiredService d, ReplicaPlanner.Plan plan, Map<String, Assignment> assignments,
                          Map<String, Report> reports, String token) {
        if (!plan.newAssignments().isEmpty()) {
            redis.set(String.class).sadd(records.services(), id.toString());
            Map<String, String> added = new LinkedHashMap<>();
            plan.newAssignments().forEach((rid, a) -> added.put(rid, ReplicaRecords.json(a)));
            hashes.hset(records.assignments(id), added);
        }
        if (!plan.dropAssignments().isEmpty()) {
            hashes.hdel(records.assignments(id), plan.dropAssignments().toArray(String[]::new));
        }
        if (!plan.reportWrites().isEmpty()) {
            Map<String, String> writes = new LinkedHashMap<>();
            plan.reportWrites().forEach((rid, r) -> writes.put(rid, ReplicaRecords.json(r)));
            hashes.hset(records.reports(id), writes);
        }
        if (!plan.reportDeletes().isEmpty()) {
            hashes.hdel(records.reports(id), plan.reportDeletes().toArray(String[]::new));
        }
        List<Uni<Void>> sends = new java.util.ArrayList<>();
        plan.stops().forEach(s -> sends.add(out.command(new AgentCommand.StopReplica(s.teamId(), s.agentId(), id, s.replicaId()))));
        plan.starts().forEach(s -> {
            LOG.infof("container service %s: replica %s placed on agent %s", s.spec().serviceSlug(), s.replicaId(), s.agentId());
            sends.add(out.command(new AgentCommand.StartReplica(d.teamId(), s.agentId(), s.spec())));
        });
        if (!sends.isEmpty()) {
            Uni.join().all(sends).andCollectFailures().await().atMost(Duration.ofSeconds(10));
        }
        if (d != null && d.run()) {
            String failures = records.failures(id, d.template().generation());
            if (plan.healthyNow()) {
                redis.key().del(failures);
            } else if (plan.newFailures() > 0) {
                redis.value(String.class).incrby(failures, plan.newFailures());
                redis.key().expire(failures, Duration.ofDays(1));
            }
            redis.value(String.class).set(records.route(d.teamId(), d.serviceSlug()), ReplicaRecords.json(plan.route()));
            hashes.hset(records.routes(), id.toString(), records.route(d.teamId(), d.serviceSlug()));
        } else if (d != null) {
            redis.key().del(records.route(d.teamId(), d.serviceSlug()));
        } else {
            dropRoute(id);
        }
        java.util.Set<String> placedLeft = new java.util.HashSet<>(assignments.keySet());
        placedLeft.addAll(plan.newAssignments().keySet());
        plan.dropAssignments().forEach(placedLeft::remove);
        java.util.Set<String> reportedLeft = new java.util.HashSet<>(reports.keySet());
        reportedLeft.addAll(plan.reportWrites().keySet());
        plan.reportDeletes().forEach(reportedLeft::remove);
        boolean empty = placedLeft.isEmpty() && reportedLeft.isEmpty();
        if (d == null && empty) {
            // The definition is gone and so are its replicas: forget the service.
            redis.set(String.class).srem(records.services(), id.toString());
            redis.key().del(records.assignments(id), records.reports(id));
            hashes.hdel(records.routes(), id.toString());
        }
        if (d != null && !Objects.equals(d.observed(), plan.observation())) {
            client.observed(token, id, d.template().generation(), d.run(), plan.observation());
        }
    }

    /** Whether new replicas may be placed now: not within {@link #HOLD} of finding Redis without the records. */
    private boolean placing(long now) {
        String since = redis.value(String.class).get(records.marker());
        if (since == null) {
            redis.execute("SET", records.marker(), Long.toString(now), "NX");
            LOG.info("container services: no records in Redis (a first start, or Redis lost them); placing waits "
                    + HOLD.toSeconds() + " s for the agents to report what they run");
            return false;
        }
        return now - Long.parseLong(since) >= HOLD.toMillis();
    }

    /** A deleted service's route goes at once (calls answer 404, not a 502 from a replica being stopped), unless its slug was taken again. */
    private void dropRoute(UUID id) {
        String key = hashes.hget(records.routes(), id.toString());
        ReplicaRecords.Route route = key == null ? null : ReplicaRecords.parse(redis.value(String.class).get(key), ReplicaRecords.Route.class);
        if (route != null && id.equals(route.serviceId())) {
            redis.key().del(key);
        }
    }

    private static <T> Map<String, T> read(Map<String, String> raw, Class<T> type) {
        Map<String, T> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            T record = ReplicaRecords.parse(v, type);
            if (record == null) {
                LOG.warnf("container services: an unreadable record %s passed over", k);
            } else {
                out.put(k, record);
            }
        });
        return out;
    }
}
