package io.cyberun.scheduler.registry;

import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.scheduler.domain.AgentSlots;
import io.cyberun.scheduler.domain.Eligibility;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This replica's picture of every team's agents (labels, capacity, status, models, load), in memory, so choosing where
 * a task may go costs no round trip. It is rebuilt from Redis at start and every couple of seconds (the agent events
 * another replica consumed reach it that way), kept current by the agent events this replica consumes, and its load
 * figures are corrected by every reservation the scripts make. It only orders the candidates: the script that
 * reserves a slot checks capacity, status and labels again, atomically, against Redis.
 */
@ApplicationScoped
public class AgentView {
    /** How many candidate agents a placement offers the reserving script, best first. */
    static final int CANDIDATES = 8;

    private volatile Map<UUID, Map<String, AgentSlots>> teams = new ConcurrentHashMap<>();

    /** Replaces the whole picture with what Redis holds. */
    public void replace(Map<UUID, List<AgentSlots>> fresh) {
        Map<UUID, Map<String, AgentSlots>> next = new ConcurrentHashMap<>();
        fresh.forEach((team, agents) -> {
            Map<String, AgentSlots> byId = new ConcurrentHashMap<>();
            agents.forEach(a -> byId.put(a.agentId(), a));
            next.put(team, byId);
        });
        teams = next;
    }

    /** Teams with an agent that takes tasks and has a free slot. */
    public List<UUID> teamsWithFreeSlots() {
        List<UUID> found = new ArrayList<>();
        teams.forEach((team, agents) -> {
            if (free(agents.values()) > 0) {
                found.add(team);
            }
        });
        return found;
    }

    /** The eligible agents for a task, best first (those with its models, least loaded), at most {@link #CANDIDATES}. */
    public List<String> candidates(UUID team, TaskSpec spec) {
        Map<String, AgentSlots> agents = teams.get(team);
        if (agents == null || agents.isEmpty()) {
            return List.of();
        }
        List<AgentSlots> eligible = Eligibility.candidates(new ArrayList<>(agents.values()), spec);
        return eligible.stream().limit(CANDIDATES).map(AgentSlots::agentId).toList();
    }

    /** The team's agents that take tasks and have a free slot, least loaded first. */
    public List<String> withFreeSlots(UUID team) {
        Map<String, AgentSlots> agents = teams.get(team);
        if (agents == null) {
            return List.of();
        }
        return agents.values().stream().filter(a -> a.status() != null && a.status().takesTasks() && a.free() > 0)
                .sorted(java.util.Comparator.comparingDouble(AgentSlots::load).thenComparing(AgentSlots::agentId))
                .map(AgentSlots::agentId).toList();
    }

    /** The team's connected agents by id (a copy). */
    public Map<String, AgentSlots> agents(UUID team) {
        Map<String, AgentSlots> agents = teams.get(team);
        return agents == null ? Map.of() : Map.copyOf(agents);
    }

    public AgentSlots agent(UUID team, String agentId) {
        Map<String, AgentSlots> agents = teams.get(team);
        return agents == null ? null : agents.get(agentId);
    }

    /** A slot on the agent was reserved ({@code +1}) or freed ({@code -1}). */
    public void load(UUID team, String agentId, int delta) {
        Map<String, AgentSlots> agents = teams.get(team);
        if (agents != null) {
            agents.computeIfPresent(agentId, (id, a) -> a.withRunning(Math.max(0, a.running() + delta)));
        }
    }

    public void connected(AgentEvent.Connected e, int running) {
        AgentSlots a = new AgentSlots(e.agentId(), e.status() == null ? AgentStatus.IDLE : e.status(), Math.max(0, e.gpuCapacity()), running,
                e.labels() == null ? Set.of() : new LinkedHashSet<>(e.labels()),
                e.systemStats() == null ? null : e.systemStats().maxVramGb(),
                e.systemStats() == null || e.systemStats().gpuDevices().isEmpty() ? null : e.systemStats().gpuDevices().get(0).deviceName(),
                e.hubId(), e.models() == null ? Set.of() : new LinkedHashSet<>(e.models()));
        teams.computeIfAbsent(e.teamId(), t -> new ConcurrentHashMap<>()).put(e.agentId(), a);
    }

    public void statusChanged(AgentEvent.StatusChanged e) {
        Map<String, AgentSlots> agents = teams.get(e.teamId());
        if (agents != null) {
            agents.computeIfPresent(e.agentId(), (id, a) -> a.withStatus(e.status(), e.models() == null ? null : new LinkedHashSet<>(e.models())));
        }
    }

    public void disconnected(UUID team, String agentId) {
        Map<String, AgentSlots> agents = teams.get(team);
        if (agents != null) {
            agents.remove(agentId);
        }
    }

    private static int free(java.util.Collection<AgentSlots> agents) {
        return agents.stream().filter(a -> a.status() != null && a.status().takesTasks()).mapToInt(AgentSlots::free).sum();
    }
}
