package io.cyberun.scheduler.domain;

import io.cyberun.contracts.agent.AgentStatus;
import java.util.Set;

/**
 * What the scheduler knows of an agent: whether it takes tasks, how many it may run, how many it has.
 *
 * @param running tasks reserved on the agent (queued or running)
 * @param vramGb  its largest GPU's VRAM, or {@code null} when it reports none
 * @param hubId   the hub replica holding its connection
 * @param models  names ({@code <model_type>/<model_path>}) of the models it has
 */
public record AgentSlots(String agentId, AgentStatus status, int capacity, int running, Set<String> labels, Double vramGb,
                         String gpuType, String hubId, Set<String> models) {

    public AgentSlots {
        models = models == null ? Set.of() : models;
    }

    public AgentSlots(String agentId, AgentStatus status, int capacity, int running, Set<String> labels, Double vramGb, String gpuType,
                      String hubId) {
        this(agentId, status, capacity, running, labels, vramGb, gpuType, hubId, Set.of());
    }

    public AgentSlots withRunning(int newRunning) {
        return new AgentSlots(agentId, status, capacity, newRunning, labels, vramGb, gpuType, hubId, models);
    }

    /** With a new status, and the models it has now when {@code newModels} is not null. */
    public AgentSlots withStatus(AgentStatus newStatus, Set<String> newModels) {
        return new AgentSlots(agentId, newStatus, capacity, running, labels, vramGb, gpuType, hubId, newModels == null ? models : newModels);
    }

    /** Whether the agent has every model the task needs (otherwise it must sync first: provisioning). */
    public boolean hasModels(java.util.List<String> required) {
        return required == null || models.containsAll(required);
    }

    public int free() {
        return Math.max(0, capacity - running);
    }

    /** Share of the capacity in use, 0.0 to 1.0. */
    public double load() {
        return capacity <= 0 ? 1.0 : (double) running / capacity;
    }
}
