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
import io.cyberun.common.redis.LuaScript;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The team's agents and their slots, in Redis, written when agents connect, change status and leave. Slots are
 * reserved and freed by the task book's scripts ({@link SchedulerScripts}), so two scheduler replicas can never
 * over-fill an agent or reserve one task twice.
 */
@ApplicationScoped
public class AgentRegistry {
    /** Adopts a task an agent reports running after a reconnect, unless the task already holds a slot. */
    static final LuaScript ADOPT = new LuaScript("""
            if redis.call('SETNX', KEYS[2], ARGV[1]) == 1 then
              redis.call('HINCRBY', KEYS[1], 'running', 1)
              redis.call('SADD', KEYS[3], ARGV[2])
              return 1
            end
            return 0
            """);
    static final LuaScript SET_STATUS = new LuaScript("""
            if redis.call('HGET', KEYS[1], 'session') ~= ARGV[1] then return 0 end
            redis.call('HSET', KEYS[1], 'status', ARGV[2])
            if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'models', ARGV[3], 'modelset', ARGV[4]) end
            return 1
            """);
    /** Forgets the agent if the event belongs to its current session; answers the tasks that held its slots. */
    static final LuaScript DISCONNECT = new LuaScript("""
            if redis.call('HGET', KEYS[1], 'session') ~= ARGV[1] then return {'stale'} end
            redis.call('DEL', KEYS[1])
            redis.call('SREM', KEYS[2], ARGV[2])
            redis.call('SREM', KEYS[4], ARGV[3])
            local result = {'gone'}
            for _, task in ipairs(redis.call('SMEMBERS', KEYS[3])) do table.insert(result, task) end
            return result
            """);

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

    /** Records a connected agent (a new session replaces an older one) and adopts the tasks it runs. */
    public Uni<Void> connected(AgentEvent.Connected e) {
        String key = keys.agent(e.teamId(), e.agentId());
        Map<String, String> fields = new HashMap<>();
        fields.put("status", (e.status() == null ? AgentStatus.IDLE : e.status()).wireName());
        fields.put("capacity", Integer.toString(Math.max(0, e.gpuCapacity())));
        fields.put("labels", write(e.labels() == null ? List.of() : e.labels()));
        fields.put("labelset", TaskBook.set(e.labels()));
        fields.put("modelset", TaskBook.set(e.models()));
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
                .onItem().transformToUniAndConcatenate(rt -> ADOPT.run(redis, List.of(key, keys.slot(rt.taskId()),
                        keys.agentSlots(e.teamId(), e.agentId())), List.of(e.agentId(), rt.taskId().toString())))
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
        return SET_STATUS.run(redis, List.of(keys.agent(e.teamId(), e.agentId())), List.of(e.sessionId(), e.status().wireName(),
                        e.models() == null ? "" : write(e.models()), TaskBook.set(e.models())))
                .map(r -> r.toInteger() == 1);
    }

    /**
     * Forgets the agent if the event belongs to its current session; answers the tasks that held slots on it, or
     * {@code null} for an event of an older session (the agent is connected again).
     */
    public Uni<List<UUID>> disconnected(AgentEvent.Disconnected e) {
        return DISCONNECT.run(redis, List.of(keys.agent(e.teamId(), e.agentId()), keys.agents(e.teamId()), keys.agentSlots(e.teamId(), e.agentId()),
                        keys.allAgents()),
                List.of(e.sessionId(), e.agentId(), e.teamId() + "/" + e.agentId()))
                .map(r -> {
                    if (!"gone".equals(r.get(0).toString())) {
                        return null;
                    }
                    List<UUID> tasks = new ArrayList<>();
                    for (int i = 1; i < r.size(); i++) {
                        tasks.add(UUID.fromString(r.get(i).toString()));
                    }
                    return tasks;
                });
    }

    /** Frees the task's slot wherever it is; answers the agent it was on, or {@code null}. */
    public Uni<String> release(UUID team, UUID task) {
        return SchedulerScripts.RELEASE.run(redis, List.of(), List.of(keys.prefix(), team.toString(), task.toString()))
                .map(r -> r == null || r.toString().isEmpty() ? null : r.toString());
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

    /** Every registered agent with its slots, by team: what a scheduler replica's in-memory view is rebuilt from. */
    public Uni<Map<UUID, List<AgentSlots>>> all() {
        return sets.smembers(keys.allAgents()).flatMap(members -> {
            if (members.isEmpty()) {
                return Uni.createFrom().item(Map.<UUID, List<AgentSlots>>of());
            }
            List<Uni<Map.Entry<UUID, AgentSlots>>> reads = new ArrayList<>();
            for (String member : members) {
                int slash = member.indexOf('/');
                UUID team = UUID.fromString(member.substring(0, slash));
                String agent = member.substring(slash + 1);
                reads.add(hashes.hgetall(keys.agent(team, agent)).map(h -> {
                    AgentSlots a = slots(agent, h);
                    return a == null ? null : Map.entry(team, a);
                }));
            }
            // Sent together: the client pipelines them on its connection.
            return Uni.join().all(reads).andFailFast().map(list -> {
                Map<UUID, List<AgentSlots>> byTeam = new HashMap<>();
                for (Map.Entry<UUID, AgentSlots> e : list) {
                    if (e != null) {
                        byTeam.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                    }
                }
                return byTeam;
            });
        });
    }

    private AgentSlots slots(String id, Map<String, String> h) {
        if (h == null || h.isEmpty()) {
            return null;
        }
        return new AgentSlots(id, AgentStatus.fromWire(h.get("status")), parseInt(h.get("capacity")), parseInt(h.get("running")),
                read(h.get("labels")), h.get("vram_gb") == null ? null : Double.valueOf(h.get("vram_gb")), h.get("gpu_type"), h.get("hub"),
                read(h.get("models")));
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
