package io.cyberun.scheduler.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.redis.LuaScript;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.task.OpenTasks;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.scheduler.domain.Eligibility;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The tasks the scheduler tracks, in Redis, shared by its replicas: each task's spec, its status as the scheduler sees
 * it and the last event applied (so redelivered or stale events are skipped), each team's waiting queue, and the
 * dispatches not yet acknowledged. Every task event changes the book with one script ({@link SchedulerScripts}),
 * which also makes the placement decision it leads to.
 */
@ApplicationScoped
public class TaskBook {
    /** A finished task is remembered this long (past the task-events retention) so its old events stay skipped. */
    static final Duration TOMBSTONE = Duration.ofDays(8);
    static final String DONE = "done";

    private final ReactiveRedisDataSource redis;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveSortedSetCommands<String, String> zsets;
    private final RedisKeys keys;
    private final ObjectMapper json;

    public TaskBook(ReactiveRedisDataSource redis, RedisKeys keys, ObjectMapper json) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.zsets = redis.sortedSet(String.class);
        this.keys = keys;
        this.json = json;
    }

    /**
     * A tracked task. {@code status} is the last status the scheduler saw or decided; {@code null} once the task ended
     * (only its tombstone is left).
     */
    public record Tracked(UUID taskId, UUID teamId, TaskSpec spec, TaskStatus status, String agentId, int attempt, long seq,
                          long submittedAtMillis) {
        public boolean awaitingAgent() {
            return status == TaskStatus.PENDING || status == TaskStatus.WAITING;
        }
    }

    /** A task placed on an agent: the attempt to dispatch, and the spec when the script had to read it. */
    public record Placed(UUID taskId, String agentId, int attempt, TaskSpec spec) {
    }

    /**
     * What an event decided. {@code placed}: the task itself (with a fresh or a repeated attempt) or, when a slot was
     * freed, the waiting tasks that took it; {@code waiting}: the task queued as waiting; {@code freedAgent} and
     * {@code lastAttempt}: the slot the task held, if any, and its attempt (to tell that agent to stop).
     */
    public record Decision(boolean applied, List<Placed> placed, boolean waiting, boolean repeated, String freedAgent, int lastAttempt) {
        static final Decision NONE = new Decision(false, List.of(), false, false, null, 0);
    }

    public Uni<Tracked> get(UUID taskId) {
        return hashes.hgetall(keys.task(taskId)).map(h -> h == null || h.isEmpty() ? null : tracked(taskId, h));
    }

    /** Tracks a submitted task and places it on the first of {@code candidates} with a free slot, or queues it. */
    public Uni<Decision> submit(TaskEvent.Submitted s, List<String> candidates, long nowMillis) {
        TaskSpec spec = s.spec();
        List<String> args = new ArrayList<>(List.of(keys.prefix(), s.teamId().toString(), s.taskId().toString(), Long.toString(s.seq()),
                write(spec), Long.toString(s.at().toEpochMilli()), set(spec.requiredLabels()), set(spec.requiredModels()),
                spec.minVramGb() == null ? "" : spec.minVramGb().toString(),
                score(spec.priority(), s.at().toEpochMilli()), Long.toString(nowMillis)));
        args.addAll(candidates);
        return run(SchedulerScripts.SUBMIT, args).map(r -> switch (r.get(0).toInteger()) {
            case 1 -> new Decision(true, List.of(new Placed(s.taskId(), r.get(1).toString(), r.get(2).toInteger(), spec)), false, false, null, 0);
            case 2 -> new Decision(true, List.of(), true, false, null, 0);
            case 3 -> new Decision(true, List.of(new Placed(s.taskId(), r.get(1).toString(), r.get(2).toInteger(), spec)), false, true, null, 0);
            default -> Decision.NONE;
        });
    }

    /**
     * The task is pending again after {@code c.attempt()}: frees its slot and places it again, or, for a retry still
     * backing off ({@code c.retryAt()}), keeps it in the team's queue until then (no placement, not waiting).
     */
    public Uni<Decision> replace(TaskEvent.StatusChanged c, TaskSpec spec, long submittedMillis, List<String> candidates, long nowMillis) {
        long placeableFrom = c.retryAt() == null ? 0 : c.retryAt().toEpochMilli();
        List<String> args = new ArrayList<>(List.of(keys.prefix(), c.teamId().toString(), c.taskId().toString(), Long.toString(c.seq()),
                // A retry queues as if submitted when its back-off ends, so it never holds up the tasks behind it.
                Integer.toString(c.attempt()), score(spec == null ? 0 : spec.priority(), Math.max(submittedMillis, placeableFrom)), Long.toString(nowMillis),
                Long.toString(placeableFrom)));
        args.addAll(candidates);
        return run(SchedulerScripts.REPLACE, args).map(r -> {
            int code = r.get(0).toInteger();
            if (code == 0) {
                return Decision.NONE;
            }
            String freed = r.get(3).toString();
            List<Placed> placed = code == 2 || code == 4 ? List.of() : List.of(new Placed(c.taskId(), r.get(1).toString(), r.get(2).toInteger(), spec));
            return new Decision(true, placed, code == 2, code == 3, freed.isEmpty() ? null : freed, c.attempt());
        });
    }

    /** Records a non-terminal status task-service applied; {@code true} when the book took it. */
    public Uni<Boolean> update(TaskEvent.StatusChanged c) {
        return run(SchedulerScripts.UPDATE, List.of(keys.prefix(), c.teamId().toString(), c.taskId().toString(), Long.toString(c.seq()),
                c.status().wireName(), c.agentId() == null ? "" : c.agentId(), Integer.toString(c.attempt())))
                .map(r -> r.toInteger() == 1);
    }

    /** The task ended: frees its slot and places the team's next waiting tasks that fit the freed agent. */
    public Uni<Decision> finish(TaskEvent event, int waitingBatch, long nowMillis) {
        return run(SchedulerScripts.FINISH, List.of(keys.prefix(), event.teamId().toString(), event.taskId().toString(),
                Long.toString(event.seq()), Long.toString(TOMBSTONE.toSeconds()), Long.toString(nowMillis), Integer.toString(waitingBatch)))
                .map(r -> {
                    if (r.get(0).toInteger() == 0) {
                        return Decision.NONE;
                    }
                    String freed = r.get(1).toString();
                    return new Decision(true, placements(r, 3), false, false, freed.isEmpty() ? null : freed, r.get(2).toInteger());
                });
    }

    /** Places the team's waiting tasks on these agents (in order of preference) while they have free slots. */
    public Uni<List<Placed>> placeWaiting(UUID team, List<String> agents, int waitingBatch, long nowMillis) {
        if (agents.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> args = new ArrayList<>(List.of(keys.prefix(), team.toString(), Integer.toString(waitingBatch), Long.toString(nowMillis)));
        args.addAll(agents);
        return run(SchedulerScripts.PLACE_WAITING, args).map(r -> placements(r, 0));
    }

    /** Marks a placed task as provisioning (its agent syncs models first; no acknowledgement is due yet). */
    public Uni<Void> provisioning(UUID team, UUID task) {
        return run(SchedulerScripts.PROVISIONING, List.of(keys.prefix(), team.toString(), task.toString())).replaceWithVoid();
    }

    /** Claims a provisioning task for dispatch on its agent (once, whatever replica asks); answers the attempt or 0. */
    public Uni<Integer> provisioned(UUID team, UUID task, String agentId, long nowMillis) {
        return run(SchedulerScripts.PROVISIONED, List.of(keys.prefix(), team.toString(), task.toString(), agentId, Long.toString(nowMillis)))
                .map(Response::toInteger);
    }

    /**
     * Restores a task from task-service's record unless the book has it; {@code true} when restored. A waiting task is
     * placed only from {@code placeableFromMillis} on.
     */
    public Uni<Boolean> restore(OpenTasks.OpenTask t, long nowMillis, long placeableFromMillis) {
        TaskSpec spec = t.spec();
        long submitted = t.createdAt() == null ? nowMillis : t.createdAt().toEpochMilli();
        return run(SchedulerScripts.RESTORE, List.of(keys.prefix(), t.teamId().toString(), t.taskId().toString(), Long.toString(t.seq()),
                t.status().wireName(), t.agentId() == null ? "" : t.agentId(), Integer.toString(t.attempt()), write(spec),
                Long.toString(submitted), set(spec.requiredLabels()), set(spec.requiredModels()),
                spec.minVramGb() == null ? "" : spec.minVramGb().toString(), score(spec.priority(), submitted), Long.toString(nowMillis),
                Long.toString(placeableFromMillis)))
                .map(r -> r.toInteger() == 1);
    }

    /**
     * A (re)connected agent reports it holds this attempt: {@code true} when it keeps it (and the book now says so),
     * {@code false} when the task ended or a newer attempt was placed.
     */
    public Uni<Boolean> adoptReported(UUID team, UUID task, String agentId, int attempt) {
        return run(SchedulerScripts.ADOPT_REPORTED, List.of(keys.prefix(), team.toString(), task.toString(), agentId, Integer.toString(attempt)))
                .map(r -> r.toInteger() == 1);
    }

    /** Dispatches older than the given time that nobody acknowledged. */
    public Uni<List<UUID>> unacknowledgedBefore(long beforeMillis) {
        return zsets.zrangebyscore(keys.unacknowledged(), new ScoreRange<>(Double.NEGATIVE_INFINITY, (double) beforeMillis))
                .map(ids -> ids.stream().map(UUID::fromString).toList());
    }

    /** Takes a task off the unacknowledged set; {@code true} for the one replica that removed it. */
    public Uni<Boolean> claimUnacknowledged(UUID taskId) {
        return zsets.zrem(keys.unacknowledged(), taskId.toString()).map(removed -> removed == 1);
    }

    private List<Placed> placements(Response r, int from) {
        List<Placed> placed = new ArrayList<>();
        for (int i = from; i + 3 < r.size(); i += 4) {
            placed.add(new Placed(UUID.fromString(r.get(i).toString()), r.get(i + 1).toString(), r.get(i + 2).toInteger(),
                    read(r.get(i + 3).toString())));
        }
        return placed;
    }

    private Uni<Response> run(LuaScript script, List<String> args) {
        return script.run(redis, List.of(), args);
    }

    private Tracked tracked(UUID id, Map<String, String> h) {
        String agent = h.get("agent");
        return new Tracked(id, h.get("team") == null ? null : UUID.fromString(h.get("team")),
                h.get("spec") == null ? null : read(h.get("spec")), DONE.equals(h.get("status")) ? null : TaskStatus.fromWire(h.get("status")),
                agent == null || agent.isEmpty() ? null : agent,
                h.get("attempt") == null ? 0 : Integer.parseInt(h.get("attempt")),
                h.get("seq") == null ? 0 : Long.parseLong(h.get("seq")),
                h.get("submitted") == null ? 0 : Long.parseLong(h.get("submitted")));
    }

    static String score(int priority, long submittedMillis) {
        return Double.toString(Eligibility.waitingScore(priority, submittedMillis));
    }

    /** A list as {@code ",a,b,"}, the form the scripts test membership in. */
    public static String set(List<String> items) {
        return items == null || items.isEmpty() ? "," : "," + String.join(",", items) + ",";
    }

    private String write(TaskSpec spec) {
        try {
            return json.writeValueAsString(spec);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private TaskSpec read(String spec) {
        try {
            return json.readValue(spec, TaskSpec.class);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable task spec in Redis", e);
        }
    }
}
