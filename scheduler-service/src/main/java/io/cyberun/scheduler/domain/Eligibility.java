package io.cyberun.scheduler.domain;

import io.cyberun.contracts.agent.GpuLabels;
import io.cyberun.contracts.task.TaskSpec;
import java.util.Comparator;
import java.util.List;

/**
 * Which agents may run a task, and in which order to try them. An agent is eligible when its labels are a
 * superset of the workflow's {@code required_labels}, it is {@code idle} or {@code busy} with a free slot
 * ({@code running < gpu_capacity}), and it has at least {@code min_vram_gb} when it reports its VRAM. Agents
 * that are syncing, tunnelling or unhealthy never are. (The team is already fixed: agents are looked up per team.)
 */
public final class Eligibility {

    private Eligibility() {
    }

    public static boolean eligible(AgentSlots agent, TaskSpec spec) {
        if (agent.status() == null || !agent.status().takesTasks() || agent.free() <= 0) {
            return false;
        }
        if (!agent.labels().containsAll(spec.requiredLabels())) {
            return false;
        }
        Integer minVram = spec.minVramGb();
        return minVram == null || minVram <= 0 || agent.vramGb() == null || agent.vramGb() >= minVram;
    }

    /**
     * Eligible agents: those with the workflow's {@code preferred_gpu} first (a preference, never a requirement: an
     * agent without it still runs the task), then those that already have its {@code required_models} (no sync
     * needed), then least loaded first, then most free slots, then by id for a stable order.
     */
    public static List<AgentSlots> candidates(List<AgentSlots> agents, TaskSpec spec) {
        String preferred = GpuLabels.of(spec.preferredGpu());
        return agents.stream()
                .filter(a -> eligible(a, spec))
                .sorted(Comparator.comparing((AgentSlots a) -> !hasGpu(a, preferred))
                        .thenComparing((AgentSlots a) -> !a.hasModels(spec.requiredModels()))
                        .thenComparingDouble(AgentSlots::load)
                        .thenComparing(Comparator.comparingInt(AgentSlots::free).reversed())
                        .thenComparing(AgentSlots::agentId))
                .toList();
    }

    /** Whether the agent has the GPU model (by its labels, or the GPU type it reports); any agent when none is preferred. */
    public static boolean hasGpu(AgentSlots agent, String preferredLabel) {
        return preferredLabel == null || agent.labels().contains(preferredLabel) || preferredLabel.equals(GpuLabels.of(agent.gpuType()));
    }

    /** What the task's log says about a workflow's preferred GPU once the task is placed on this agent; null without one. */
    public static String preferredGpuNote(AgentSlots agent, String preferredGpu) {
        if (preferredGpu == null || preferredGpu.isBlank() || agent == null) {
            return null;
        }
        String gpu = agent.gpuType() == null ? "no GPU it reports" : agent.gpuType();
        return hasGpu(agent, GpuLabels.of(preferredGpu))
                ? "placed on agent " + agent.agentId() + ", which has the preferred GPU " + preferredGpu
                : "no eligible agent with the preferred GPU " + preferredGpu + " was free; placed on agent " + agent.agentId() + " (" + gpu + ")";
    }

    /**
     * The order of a team's waiting queue as a sorted-set score: higher {@code priority} first, then older
     * submissions first. Priorities are -100..100 and times are epoch milliseconds, so they never collide.
     */
    public static double waitingScore(int priority, long submittedAtMillis) {
        return (100 - priority) * 1e13 + submittedAtMillis;
    }
}
