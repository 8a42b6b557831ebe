package io.cyberun.scheduler.containers;

import io.cyberun.common.container.ReplicaRecords.Assignment;
import io.cyberun.common.container.ReplicaRecords.Report;
import io.cyberun.common.container.ReplicaRecords.Route;
import io.cyberun.common.container.ReplicaRecords.Target;
import io.cyberun.contracts.container.DesiredService;
import io.cyberun.contracts.container.ReplicaInfo;
import io.cyberun.contracts.container.ReplicaSpec;
import io.cyberun.contracts.container.ReplicaState;
import io.cyberun.contracts.container.ServiceObservation;
import io.cyberun.scheduler.domain.AgentSlots;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decides, for one container service, what brings its replicas to what its record asks: which placements to drop
 * (an older generation, a replica that failed or stopped, an agent that left, an agent silent past the start limit),
 * which replicas to stop, where to start new ones, the route calls take, and the status to report. No I/O: the
 * reconciler loads the records, asks this, and carries the plan out.
 * <p>
 * Placement: a connected agent whose labels include every required label and whose GPUs not held by other replicas
 * cover the service's {@code gpu_count} (-1: every GPU of an agent no other GPU replica uses), fewest replicas of the
 * service first (spread), then fewest GPUs in use. A service whose replicas failed {@link #FAILURE_LIMIT} times in a
 * row without one becoming healthy is {@code failed}: no more are placed until it is deployed again.
 */
public final class ReplicaPlanner {
    static final long START_LIMIT_MS = 60_000;
    static final long KEEP_ENDED_MS = 10 * 60_000;
    public static final int FAILURE_LIMIT = 3;

    private ReplicaPlanner() {
    }

    public record Start(String replicaId, String agentId, ReplicaSpec spec) {
    }

    public record Stop(String replicaId, java.util.UUID teamId, String agentId) {
    }

    /**
     * What to do. {@code newFailures}: replicas found failed in this pass (added to the generation's count);
     * {@code healthyNow}: whether any replica is healthy (the count starts again).
     */
    public record Plan(List<String> dropAssignments, Map<String, Assignment> newAssignments, List<Stop> stops, List<Start> starts,
                       Map<String, Report> reportWrites, List<String> reportDeletes, int newFailures, boolean healthyNow, Route route,
                       ServiceObservation observation) {
    }

    /** The plan for a service whose record is gone or that is to stop: stop everything. */
    public static Plan stopAll(Map<String, Assignment> assignments, Map<String, Report> reports, Map<String, AgentSlots> agents) {
        List<Stop> stops = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        assignments.forEach((id, a) -> stops.add(new Stop(id, a.teamId(), a.agentId())));
        List<ReplicaInfo> left = new ArrayList<>();
        reports.forEach((id, r) -> {
            if (r.state().live() && agents.containsKey(r.agentId())) {
                if (!assignments.containsKey(id)) {
                    stops.add(new Stop(id, r.teamId(), r.agentId()));
                }
                left.add(info(id, r));
            } else {
                deletes.add(id);
            }
        });
        String status = left.isEmpty() ? DesiredService.STOPPED : DesiredService.STOPPING;
        String reason = left.isEmpty() ? null : left.size() + " replica(s) still stopping";
        return new Plan(List.copyOf(assignments.keySet()), Map.of(), stops, List.of(), Map.of(), deletes, 0, false, null,
                new ServiceObservation(status, reason, left));
    }

    /** The plan for a service to run. {@code gpusUsed}: GPUs held on each agent by other services' replicas. */
    public static Plan run(DesiredService d, Map<String, Assignment> assignments, Map<String, Report> reports, Map<String, AgentSlots> agents,
                           Map<String, Integer> gpusUsed, int failuresSoFar, long now, Supplier<String> newId) {
        return run(d, assignments, reports, agents, gpusUsed, failuresSoFar, now, newId, true);
    }

    /**
     * {@code placing} false: place nothing new this pass (Redis was just found empty: the agents' reports of what they
     * run come back within their report interval, and those replicas are adopted rather than started twice).
     */
    public static Plan run(DesiredService d, Map<String, Assignment> assignments, Map<String, Report> reports, Map<String, AgentSlots> agents,
                           Map<String, Integer> gpusUsed, int failuresSoFar, long now, Supplier<String> newId, boolean placing) {
        int generation = d.template().generation();
        List<String> drop = new ArrayList<>();
        List<Stop> stops = new ArrayList<>();
        Map<String, Report> writes = new LinkedHashMap<>();
        List<String> deletes = new ArrayList<>();
        Map<String, Assignment> live = new LinkedHashMap<>();
        int failures = 0;
        String lastFailure = null;
        for (Map.Entry<String, Assignment> e : assignments.entrySet()) {
            String id = e.getKey();
            Assignment a = e.getValue();
            Report r = reports.get(id);
            if (a.generation() != generation) {
                drop.add(id);
                stops.add(new Stop(id, a.teamId(), a.agentId()));
            } else if (!agents.containsKey(a.agentId())) {
                drop.add(id);
                failures++;
                lastFailure = "agent " + a.agentId() + " disconnected";
                writes.put(id, failed(a, r, lastFailure, now));
            } else if (r != null && r.state() == ReplicaState.FAILED) {
                drop.add(id);
                failures++;
                lastFailure = r.reason();
            } else if (r != null && r.state() == ReplicaState.STOPPED) {
                drop.add(id);
            } else if (r == null && now - a.at() > START_LIMIT_MS) {
                drop.add(id);
                stops.add(new Stop(id, a.teamId(), a.agentId()));
                failures++;
                lastFailure = "agent " + a.agentId() + " did not report the replica within " + START_LIMIT_MS / 1000 + " s";
                writes.put(id, failed(a, null, lastFailure, now));
            } else {
                live.put(id, a);
            }
        }
        // A replica of this generation running on a connected agent that no placement names (Redis lost the placements,
        // the agents reported again) is adopted while the service needs replicas, instead of being stopped and replaced.
        Map<String, Assignment> adopted = new LinkedHashMap<>();
        for (Map.Entry<String, Report> e : reports.entrySet()) {
            Report r = e.getValue();
            if (!assignments.containsKey(e.getKey()) && r.state().live() && r.generation() == generation && agents.containsKey(r.agentId())
                    && live.size() < d.replicaCount()) {
                Assignment a = new Assignment(d.teamId(), r.agentId(), generation, now);
                adopted.put(e.getKey(), a);
                live.put(e.getKey(), a);
            }
        }
        // Replicas nobody placed (any more): stop those still running; forget ended ones after a while, and any whose agent left.
        for (Map.Entry<String, Report> e : reports.entrySet()) {
            String id = e.getKey();
            Report r = e.getValue();
            if (live.containsKey(id) || writes.containsKey(id)) {
                continue;
            }
            if (!agents.containsKey(r.agentId())) {
                if (r.state().live()) {
                    deletes.add(id);
                } else if (now - r.reportedAt() > KEEP_ENDED_MS) {
                    deletes.add(id);
                }
            } else if (r.state().live()) {
                if (!assignments.containsKey(id)) {
                    stops.add(new Stop(id, r.teamId(), r.agentId()));
                }
            } else if (now - r.reportedAt() > KEEP_ENDED_MS || r.generation() != generation) {
                deletes.add(id);
            }
        }
        // Too many (replica_count lowered): stop the newest, healthy ones last.
        List<String> order = new ArrayList<>(live.keySet());
        order.sort(Comparator.comparing((String id) -> healthy(reports.get(id)) ? 1 : 0).thenComparing(id -> -live.get(id).at()));
        while (live.size() > d.replicaCount()) {
            String id = order.removeFirst();
            Assignment a = live.remove(id);
            drop.add(id);
            stops.add(new Stop(id, a.teamId(), a.agentId()));
        }
        boolean healthyNow = live.keySet().stream().anyMatch(id -> healthy(reports.get(id)));
        int failureCount = healthyNow ? failures : failuresSoFar + failures;
        boolean crashLooping = !healthyNow && failureCount >= FAILURE_LIMIT;
        Map<String, Assignment> added = new LinkedHashMap<>(adopted);
        List<Start> starts = new ArrayList<>();
        String waiting = null;
        if (!crashLooping && placing) {
            Map<String, Integer> used = new HashMap<>(gpusUsed);
            Map<String, Integer> mine = new HashMap<>();
            live.values().forEach(a -> {
                mine.merge(a.agentId(), 1, Integer::sum);
                used.merge(a.agentId(), gpus(d.template().gpuCount(), agents.get(a.agentId())), Integer::sum);
            });
            while (live.size() + added.size() - adopted.size() < d.replicaCount()) {
                AgentSlots agent = choose(d, agents, used, mine);
                if (agent == null) {
                    waiting = agents.isEmpty() ? "no agent of the team is connected"
                            : "no connected agent has the labels " + d.requiredLabels() + " and " + gpuText(d.template().gpuCount()) + " free";
                    break;
                }
                String id = newId.get();
                added.put(id, new Assignment(d.teamId(), agent.agentId(), generation, now));
                starts.add(new Start(id, agent.agentId(), withId(d.template(), id)));
                mine.merge(agent.agentId(), 1, Integer::sum);
                used.merge(agent.agentId(), gpus(d.template().gpuCount(), agent), Integer::sum);
            }
        }
        List<Target> targets = new ArrayList<>();
        List<ReplicaInfo> shown = new ArrayList<>();
        live.forEach((id, a) -> {
            Report r = reports.get(id);
            if (healthy(r)) {
                targets.add(new Target(id, a.agentId()));
            }
            shown.add(r == null ? new ReplicaInfo(id, a.agentId(), ReplicaState.STARTING, "placed; the agent has not reported it yet",
                    generation, Instant.ofEpochMilli(a.at())) : info(id, r));
        });
        added.forEach((id, a) -> {
            if (!adopted.containsKey(id)) {
                shown.add(new ReplicaInfo(id, a.agentId(), ReplicaState.STARTING, "placed; the agent has not reported it yet", generation,
                        Instant.ofEpochMilli(a.at())));
            }
        });
        // Failed replicas of this generation stay in view for a while, so an operator sees what happened.
        reports.forEach((id, r) -> {
            if (!live.containsKey(id) && !deletes.contains(id) && r.generation() == generation && r.state() == ReplicaState.FAILED) {
                shown.add(info(id, writes.getOrDefault(id, r)));
            }
        });
        writes.forEach((id, r) -> {
            if (!reports.containsKey(id) || reports.get(id).state() != ReplicaState.FAILED) {
                shown.add(info(id, r));
            }
        });
        shown.sort(Comparator.comparing(ReplicaInfo::since).thenComparing(ReplicaInfo::replicaId));
        String status;
        String reason;
        if (!targets.isEmpty()) {
            status = DesiredService.RUNNING;
            reason = targets.size() < d.replicaCount() ? targets.size() + " of " + d.replicaCount() + " replicas healthy" : null;
        } else if (crashLooping) {
            status = DesiredService.FAILED;
            String last = lastFailure != null ? lastFailure : lastFailure(reports, generation);
            reason = "replicas failed " + failureCount + " times without becoming healthy" + (last == null ? "" : "; last: " + last)
                    + ". Fix the definition or the agent, then deploy again";
        } else {
            status = DesiredService.DEPLOYING;
            reason = waiting != null ? waiting : "waiting for a replica to answer " + d.template().healthPath();
        }
        return new Plan(drop, added, stops, starts, writes, deletes, failures, healthyNow, new Route(d.serviceId(), targets),
                new ServiceObservation(status, reason, shown));
    }

    /** GPUs a replica holds on an agent (-1: all of them). */
    public static int gpus(int gpuCount, AgentSlots agent) {
        return gpuCount < 0 ? (agent == null ? 1 : Math.max(1, agent.capacity())) : gpuCount;
    }

    private static AgentSlots choose(DesiredService d, Map<String, AgentSlots> agents, Map<String, Integer> used, Map<String, Integer> mine) {
        int want = d.template().gpuCount();
        return agents.values().stream()
                .filter(a -> a.labels().containsAll(d.requiredLabels()))
                .filter(a -> {
                    int inUse = used.getOrDefault(a.agentId(), 0);
                    return want == 0 || (want < 0 ? a.capacity() > 0 && inUse == 0 : a.capacity() - inUse >= want);
                })
                .min(Comparator.comparingInt((AgentSlots a) -> mine.getOrDefault(a.agentId(), 0))
                        .thenComparingInt(a -> used.getOrDefault(a.agentId(), 0)).thenComparing(AgentSlots::agentId))
                .orElse(null);
    }

    private static String gpuText(int gpuCount) {
        return gpuCount == 0 ? "room" : gpuCount < 0 ? "every GPU" : gpuCount + " GPU(s)";
    }

    private static String lastFailure(Map<String, Report> reports, int generation) {
        return reports.values().stream().filter(r -> r.generation() == generation && r.state() == ReplicaState.FAILED)
                .max(Comparator.comparingLong(Report::reportedAt)).map(Report::reason).orElse(null);
    }

    private static boolean healthy(Report r) {
        return r != null && r.state() == ReplicaState.HEALTHY;
    }

    private static Report failed(Assignment a, Report r, String reason, long now) {
        return new Report(a.teamId(), a.agentId(), r == null ? null : r.hubId(), ReplicaState.FAILED, reason, a.generation(),
                Instant.ofEpochMilli(now), now);
    }

    private static ReplicaInfo info(String id, Report r) {
        return new ReplicaInfo(id, r.agentId(), r.state(), r.reason(), r.generation(), r.since() == null ? Instant.ofEpochMilli(r.reportedAt()) : r.since());
    }

    static ReplicaSpec withId(ReplicaSpec t, String id) {
        return new ReplicaSpec(t.serviceId(), t.serviceSlug(), id, t.generation(), t.serviceType(), t.dockerImage(), t.externalUrl(),
                t.externalAuthCredentialId(), t.exposedPort(), t.healthPath(), t.env(), t.volumes(), t.gpuCount());
    }

    /** A new replica id: the service's slug and six random characters. */
    public static String newId(String slug, java.util.random.RandomGenerator random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder(slug).append('-');
        for (int i = 0; i < 6; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
