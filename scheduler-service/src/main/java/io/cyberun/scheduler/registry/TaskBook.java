package io.cyberun.scheduler.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.scheduler.domain.Eligibility;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The tasks the scheduler tracks, in Redis: each task's spec and last known status, each team's waiting queue,
 * and the dispatches not yet acknowledged. Each task remembers the sequence number of the last event applied,
 * so redelivered or stale task events are skipped.
 */
@ApplicationScoped
public class TaskBook {
    /** A finished task is remembered this long (past the task-events retention) so its old events stay skipped. */
    static final Duration TOMBSTONE = Duration.ofDays(8);
    static final String DONE = "done";

    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveSortedSetCommands<String, String> zsets;
    private final ReactiveKeyCommands<String> keyCommands;
    private final RedisKeys keys;
    private final ObjectMapper json;

    public TaskBook(ReactiveRedisDataSource redis, RedisKeys keys, ObjectMapper json) {
        this.hashes = redis.hash(String.class);
        this.zsets = redis.sortedSet(String.class);
        this.keyCommands = redis.key();
        this.keys = keys;
        this.json = json;
    }

    /** A tracked task. {@code status} is the last status the scheduler saw, or {@code done}. */
    public record Tracked(UUID taskId, UUID teamId, TaskSpec spec, String status, String agentId, int attempt, long seq,
                          long submittedAtMillis) {
        public boolean awaitingAgent() {
            return "pending".equals(status) || "waiting".equals(status);
        }
    }

    public Uni<Tracked> get(UUID taskId) {
        return hashes.hgetall(keys.task(taskId)).map(h -> h == null || h.isEmpty() ? null : tracked(taskId, h));
    }

    /**
     * Whether an event is new for its task: its sequence number is above the last applied one. A task the
     * book does not know is new only for its {@code submitted} event.
     */
    public Uni<Boolean> isNew(TaskEvent event) {
        return hashes.hget(keys.task(event.taskId()), "seq")
                .map(seq -> seq == null ? event instanceof TaskEvent.Submitted : event.seq() > Long.parseLong(seq));
    }

    public Uni<Void> track(TaskEvent.Submitted s) {
        return hashes.hset(keys.task(s.taskId()), Map.of(
                "team", s.teamId().toString(),
                "spec", write(s.spec()),
                "status", "pending",
                "attempt", "0",
                "seq", Long.toString(s.seq()),
                "submitted", Long.toString(s.at().toEpochMilli()))).replaceWithVoid();
    }

    /** Records the task's status after an event (and the agent and attempt for dispatch states). */
    public Uni<Void> update(TaskEvent event, String agentId, int attempt) {
        Map<String, String> fields = new java.util.HashMap<>();
        fields.put("status", event.status().wireName());
        fields.put("seq", Long.toString(event.seq()));
        fields.put("attempt", Integer.toString(attempt));
        fields.put("agent", agentId == null ? "" : agentId);
        return hashes.hset(keys.task(event.taskId()), fields).replaceWithVoid();
    }

    /** Marks a task finished: its spec is dropped, a tombstone with its last sequence number stays. */
    public Uni<Void> finish(TaskEvent event) {
        String key = keys.task(event.taskId());
        return keyCommands.del(key)
                .call(() -> hashes.hset(key, Map.of("status", DONE, "seq", Long.toString(event.seq()), "team", event.teamId().toString())))
                .call(() -> keyCommands.expire(key, TOMBSTONE))
                .call(() -> zsets.zrem(keys.waiting(event.teamId()), event.taskId().toString()))
                .call(() -> zsets.zrem(keys.unacknowledged(), event.taskId().toString()))
                .replaceWithVoid();
    }

    public Uni<Void> enqueueWaiting(Tracked task) {
        return zsets.zadd(keys.waiting(task.teamId()), Eligibility.waitingScore(task.spec().priority(), task.submittedAtMillis()),
                task.taskId().toString()).replaceWithVoid();
    }

    public Uni<Void> dequeueWaiting(UUID team, UUID taskId) {
        return zsets.zrem(keys.waiting(team), taskId.toString()).replaceWithVoid();
    }

    /** The first {@code limit} waiting tasks of a team, in dispatch order. */
    public Uni<List<UUID>> waiting(UUID team, int limit) {
        return zsets.zrange(keys.waiting(team), 0, limit - 1L).map(ids -> ids.stream().map(UUID::fromString).toList());
    }

    public Uni<Void> dispatched(UUID taskId, long atMillis) {
        return zsets.zadd(keys.unacknowledged(), atMillis, taskId.toString()).replaceWithVoid();
    }

    public Uni<Void> acknowledged(UUID taskId) {
        return zsets.zrem(keys.unacknowledged(), taskId.toString()).replaceWithVoid();
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

    private Tracked tracked(UUID id, Map<String, String> h) {
        String agent = h.get("agent");
        return new Tracked(id, h.get("team") == null ? null : UUID.fromString(h.get("team")),
                h.get("spec") == null ? null : read(h.get("spec")), h.get("status"),
                agent == null || agent.isEmpty() ? null : agent,
                h.get("attempt") == null ? 0 : Integer.parseInt(h.get("attempt")),
                h.get("seq") == null ? 0 : Long.parseLong(h.get("seq")),
                h.get("submitted") == null ? 0 : Long.parseLong(h.get("submitted")));
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
