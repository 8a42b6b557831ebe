package io.cyberun.scheduler.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.scheduler.domain.AgentSlots;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The team's agents and their slots, in Redis. Reserving and releasing a slot are Lua scripts, so two scheduler
 * replicas can never over-fill an agent or reserve one task twice.
 */
@ApplicationScoped
public class AgentRegistry {
    static final String RESERVE = """
            local holder = redis.call('GET', KEYS[2])
            if holder then return {-1, holder} end
            if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
            local status = redis.call('HGET', KEYS[1], 'status')
            if status ~= 'idle' and status ~= 'busy' then return {0, ''} end
            local cap = tonumber(redis.call('HGET', KEYS[1], 'capacity') or '0')
            local running = tonumber(redis.call('HGET', KEYS[1], 'running') or '0')
            if running >= cap then return {0, ''} end
            redis.call('HINCRBY', KEYS[1], 'running', 1)
            redis.call('SET', KEYS[2], ARGV[1])
            redis.call('SADD', KEYS[3], ARGV[2])
            return {1, ARGV[1]}
            """;
    /** Keys of agents and slot sets are built from prefixes: this runs on one Redis, not a cluster. */
    static final String RELEASE = """
            local agent = redis.call('GET', KEYS[1])
            if not agent then return '' end
            redis.call('DEL', KEYS[1])
            redis.call('SREM', ARGV[2] .. agent, ARGV[3])
            local akey = ARGV[1] .. agent
            if redis.call('EXISTS', akey) == 1 then
              if tonumber(redis.call('HINCRBY', akey, 'running', -1)) < 0 then redis.call('HSET', akey, 'running', 0) end
            end
            return agent
            """;
    /** Adopts a task an agent reports running after a reconnect, unless the task already holds a slot. */
    static final String ADOPT = """
            if redis.call('SETNX', KEYS[2], ARGV[1]) == 1 then
              redis.call('HINCRBY', KEYS[1], 'running', 1)
              redis.call('SADD', KEYS[3], ARGV[2])
              return 1
            end
            return 0
            """;
    static final String SET_STATUS = """
            if redis.call('HGET', KEYS[1], 'session') ~= ARGV[1] then return 0 end
            redis.call('HSET', KEYS[1], 'status', ARGV[2])
            if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'models', ARGV[3]) end
            return 1
            """;
    static final String DISCONNECT = """
            if redis.call('HGET', KEYS[1], 'session') ~= ARGV[1] then return {} end
            redis.call('DEL', KEYS[1])
            redis.call('SREM', KEYS[2], ARGV[2])
            redis.call('SREM', KEYS[4], ARGV[3])
            return redis.call('SMEMBERS', KEYS[3])
            """;

    private static final TypeReference<Set<String>> LABELS = new TypeReference<>() { };

    private final ReactiveRedisDataSource redis;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveSetCommands<String, String> sets;
    private final RedisKeys keys;
    private final ObjectMapper json;

    public AgentRegistry(ReactiveRedisDataSource redis, RedisKeys keys, ObjectMapper json) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.sets = redis.set(String.class);
        this.keys = keys;
        this.json = json;
    }

    /** Result of a reservation attempt. */
    public sealed interface Reservation {
        record Reserved(String agentId) implements Reservation {
        }

        /** The agent has no free slot or does not take tasks now. */
        record Full() implements Reservation {
        }

        /** The task already holds a slot (on {@code agentId}): a redelivered message, or another replica. */
        record AlreadyHeld(String agentId) implements Reservation {
        }
    }

    /** Records a connected agent (a new session replaces an older one) and adopts the tasks it runs. */
    public Uni<Void> connected(AgentEvent.Connected e) {
        String key = keys.agent(e.teamId(), e.agentId());
        Map<String, String> fields = new HashMap<>();
        fields.put("status", (e.status() == null ? AgentStatus.IDLE : e.status()).wireName());
        fields.put("capacity", Integer.toString(Math.max(0, e.gpuCapacity())));
        fields.put("labels", write(e.labels() == null ? List.of() : e.labels()));
        fields.put("hub", e.hubId());
        fields.put("session", e.sessionId());
        fields.put("connected_at", e.at().toString());
        fields.put("models", write(e.models() == null ? List.of() : e.models()));
        Double vram = e.systemStats() == null ? null : e.systemStats().maxVramGb();
        if (vram != null) {
            fields.put("vram_gb", vram.toString());
        }
        if (e.systemStats() != null && !e.systemStats().gpuDevices().isEmpty()) {
            fields.put("gpu_type", e.systemStats().gpuDevices().get(0).deviceName());
        }
        Uni<Void> upsert = hashes.hset(key, fields).replaceWithVoid()
                .call(() -> hashes.hsetnx(key, "running", "0"))
                .call(() -> sets.sadd(keys.agents(e.teamId()), e.agentId()))
                .call(() -> sets.sadd(keys.allAgents(), e.teamId() + "/" + e.agentId()));
        List<RunningTask> running = e.runningTasks() == null ? List.of() : e.runningTasks();
        return upsert.call(() -> Multi.createFrom().iterable(running)
                .onItem().transformToUniAndConcatenate(rt -> eval(ADOPT, List.of(key, keys.slot(rt.taskId()), keys.agentSlots(e.teamId(), e.agentId())),
                        List.of(e.agentId(), rt.taskId().toString())))
                .collect().last());
    }

    /** The tasks holding a slot on the agent. */
    public Uni<Set<UUID>> slotsOf(UUID team, String agentId) {
        return sets.smembers(keys.agentSlots(team, agentId)).map(ids -> {
            Set<UUID> tasks = new LinkedHashSet<>();
            ids.forEach(id -> tasks.add(UUID.fromString(id)));
            return tasks;
        });
    }

    /** Applies a status the agent reported, if the event belongs to its current session. */
    public Uni<Boolean> statusChanged(AgentEvent.StatusChanged e) {
        return eval(SET_STATUS, List.of(keys.agent(e.teamId(), e.agentId())), List.of(e.sessionId(), e.status().wireName(),
                        e.models() == null ? "" : write(e.models())))
                .map(r -> r.toInteger() == 1);
    }

    /** Forgets the agent if the event belongs to its current session; returns the tasks that held slots on it. */
    public Uni<List<UUID>> disconnected(AgentEvent.Disconnected e) {
        return eval(DISCONNECT, List.of(keys.agent(e.teamId(), e.agentId()), keys.agents(e.teamId()), keys.agentSlots(e.teamId(), e.agentId()),
                        keys.allAgents()),
                List.of(e.sessionId(), e.agentId(), e.teamId() + "/" + e.agentId()))
                .map(r -> {
                    List<UUID> tasks = new ArrayList<>();
                    r.forEach(item -> tasks.add(UUID.fromString(item.toString())));
                    return tasks;
                });
    }

    /** A registered agent and the session it was registered with. */
    public record Registered(UUID teamId, String agentId, String sessionId, String hubId) {
    }

    /**
     * Registered agents whose liveness key is gone: their hub stopped renewing it (the hub died, or the agent
     * left without a Disconnected reaching us).
     */
    public Uni<List<Registered>> silent() {
        return sets.smembers(keys.allAgents()).flatMap(members -> Multi.createFrom().iterable(members)
                .onItem().transformToUniAndConcatenate(member -> {
                    int slash = member.indexOf('/');
                    UUID team = UUID.fromString(member.substring(0, slash));
                    String agent = member.substring(slash + 1);
                    return redis.key(String.class).exists(keys.alive(team, agent)).flatMap(alive -> alive
                            ? Uni.createFrom().<Registered>nullItem()
                            : hashes.hgetall(keys.agent(team, agent)).map(h -> h == null || h.isEmpty()
                                    ? new Registered(team, agent, null, null)
                                    : new Registered(team, agent, h.get("session"), h.get("hub"))));
                })
                .filter(r -> r != null)
                .collect().asList());
    }

    /** Forgets an index entry whose agent record is already gone. */
    public Uni<Void> unindex(Registered r) {
        return sets.srem(keys.allAgents(), r.teamId() + "/" + r.agentId()).replaceWithVoid();
    }

    /** The team's connected agents with their slots. */
    public Uni<List<AgentSlots>> agents(UUID team) {
        return sets.smembers(keys.agents(team)).flatMap(ids -> Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> hashes.hgetall(keys.agent(team, id)).map(h -> slots(id, h)))
                .filter(a -> a != null)
                .collect().asList());
    }

    /** One agent of the team with its slots, or {@code null} when it is not connected. */
    public Uni<AgentSlots> agent(UUID team, String agentId) {
        return hashes.hgetall(keys.agent(team, agentId)).map(h -> slots(agentId, h));
    }

    public Uni<Reservation> reserve(UUID team, String agentId, UUID task) {
        return eval(RESERVE, List.of(keys.agent(team, agentId), keys.slot(task), keys.agentSlots(team, agentId)), List.of(agentId, task.toString()))
                .map(r -> switch (r.get(0).toInteger()) {
                    case 1 -> new Reservation.Reserved(agentId);
                    case -1 -> new Reservation.AlreadyHeld(r.get(1).toString());
                    default -> new Reservation.Full();
                });
    }

    /** Frees the task's slot; returns the agent it was on, or {@code null} when it held none. */
    public Uni<String> release(UUID team, UUID task) {
        return eval(RELEASE, List.of(keys.slot(task)), List.of(keys.agentPrefix(team), keys.agentSlotsPrefix(team), task.toString()))
                .map(r -> r == null || r.toString().isEmpty() ? null : r.toString());
    }

    /** The agent a task holds a slot on, or {@code null}. */
    public Uni<String> slotOf(UUID task) {
        return redis.value(String.class).get(keys.slot(task));
    }

    private AgentSlots slots(String id, Map<String, String> h) {
        if (h == null || h.isEmpty()) {
            return null;
        }
        return new AgentSlots(id, AgentStatus.fromWire(h.get("status")), parseInt(h.get("capacity")), parseInt(h.get("running")),
                read(h.get("labels")), h.get("vram_gb") == null ? null : Double.valueOf(h.get("vram_gb")), h.get("gpu_type"), h.get("hub"),
                read(h.get("models")));
    }

    private Uni<Response> eval(String script, List<String> scriptKeys, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(script);
        command.add(Integer.toString(scriptKeys.size()));
        command.addAll(scriptKeys);
        command.addAll(args);
        return redis.execute("EVAL", command.toArray(new String[0]));
    }

    private static int parseInt(String s) {
        return s == null ? 0 : Integer.parseInt(s);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Set<String> read(String labels) {
        try {
            return labels == null ? Set.of() : new LinkedHashSet<>(json.readValue(labels, LABELS));
        } catch (Exception e) {
            return Set.of();
        }
    }
}
