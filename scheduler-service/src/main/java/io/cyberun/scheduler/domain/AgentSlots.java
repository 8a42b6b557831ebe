package io.cyberun.scheduler.domain;

import io.cyberun.contracts.agent.AgentStatus;
import java.util.Set;

/**
 * What the scheduler knows of an agent: whether it takes tasks, how many it may run, how many it has.
 *
 * @param running tasks reserved on the agent (queued or running)
 * @param vramGb  its largest GPU's VRAM, or {@code null} when it reports none
 * @param hubId   the hub replica holding its connection
 */
public record AgentSlots(String agentId, AgentStatus status, int capacity, int running, Set<String> labels, Double vramGb,
                         String gpuType, String hubId) {

    public int free() {
        return Math.max(0, capacity - running);
    }

    /** Share of the capacity in use, 0.0 to 1.0. */
    public double load() {
        return capacity <= 0 ? 1.0 : (double) running / capacity;
    }
}
