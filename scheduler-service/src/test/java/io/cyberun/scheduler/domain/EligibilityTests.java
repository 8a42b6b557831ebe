package io.cyberun.scheduler.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.task.TaskSpec;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EligibilityTests {
    static TaskSpec spec(List<String> labels, Integer minVram) {
        return new TaskSpec(null, "w", 1, "comfyui", null, null, List.of(), labels, minVram, List.of(), 0, 0, 0);
    }

    static AgentSlots agent(String id, AgentStatus status, int capacity, int running, Set<String> labels, Double vram) {
        return new AgentSlots(id, status, capacity, running, labels, vram, null, "hub-1");
    }

    @Test
    void anAgentQualifiesWhenItsLabelsAreASupersetOfTheWorkflows() {
        TaskSpec spec = spec(List.of("gpu", "comfyui"), null);
        assertThat(Eligibility.eligible(agent("a", AgentStatus.IDLE, 1, 0, Set.of("gpu", "comfyui", "nerfstudio"), null), spec)).isTrue();
        assertThat(Eligibility.eligible(agent("b", AgentStatus.IDLE, 1, 0, Set.of("gpu"), null), spec)).isFalse();
        assertThat(Eligibility.eligible(agent("c", AgentStatus.IDLE, 1, 0, Set.of(), null), spec(List.of(), null))).isTrue();
    }

    @Test
    void onlyIdleOrBusyAgentsWithAFreeSlotTakeTasks() {
        TaskSpec spec = spec(List.of(), null);
        assertThat(Eligibility.eligible(agent("a", AgentStatus.BUSY, 2, 1, Set.of(), null), spec)).isTrue();
        assertThat(Eligibility.eligible(agent("b", AgentStatus.BUSY, 2, 2, Set.of(), null), spec)).isFalse();
        for (AgentStatus s : List.of(AgentStatus.SYNCING, AgentStatus.TUNNEL, AgentStatus.UNHEALTHY)) {
            assertThat(Eligibility.eligible(agent("c", s, 4, 0, Set.of(), null), spec)).as(s.wireName()).isFalse();
        }
    }

    @Test
    void minimumVramIsRespectedWhenTheAgentReportsIt() {
        TaskSpec spec = spec(List.of(), 24);
        assertThat(Eligibility.eligible(agent("a", AgentStatus.IDLE, 1, 0, Set.of(), 23.6), spec)).isFalse();
        assertThat(Eligibility.eligible(agent("b", AgentStatus.IDLE, 1, 0, Set.of(), 24.0), spec)).isTrue();
        assertThat(Eligibility.eligible(agent("c", AgentStatus.IDLE, 1, 0, Set.of(), null), spec)).isTrue();
    }

    @Test
    void candidatesAreTriedLeastLoadedFirst() {
        List<AgentSlots> agents = List.of(agent("busy", AgentStatus.BUSY, 4, 3, Set.of(), null), agent("half", AgentStatus.BUSY, 2, 1, Set.of(), null),
                agent("idle", AgentStatus.IDLE, 1, 0, Set.of(), null), agent("full", AgentStatus.BUSY, 1, 1, Set.of(), null));
        assertThat(Eligibility.candidates(agents, spec(List.of(), null))).extracting(AgentSlots::agentId).containsExactly("idle", "half", "busy");
    }

    @Test
    void thePreferredGpuIsTriedFirstButNeverRequired() {
        TaskSpec spec = new TaskSpec(null, "w", 1, "comfyui", null, null, List.of(), List.of("gpu"), null, List.of(), 0, 0, 0, "RTX_4090");
        List<AgentSlots> agents = List.of(agent("a100", AgentStatus.IDLE, 4, 0, Set.of("gpu", "gpu-a100-sxm4-80gb"), null),
                agent("by-label", AgentStatus.BUSY, 2, 1, Set.of("gpu", "gpu-rtx-4090"), null),
                new AgentSlots("by-type", AgentStatus.BUSY, 4, 3, Set.of("gpu"), null, "NVIDIA GeForce RTX 4090", "hub-1"));
        assertThat(Eligibility.candidates(agents, spec)).extracting(AgentSlots::agentId).containsExactly("by-label", "by-type", "a100");
        // Without a preference, least loaded first as always.
        assertThat(Eligibility.candidates(agents, spec(List.of("gpu"), null))).extracting(AgentSlots::agentId)
                .containsExactly("a100", "by-label", "by-type");
    }

    @Test
    void theTasksLogSaysWhetherThePreferredGpuWasMet() {
        AgentSlots rtx = new AgentSlots("rtx", AgentStatus.IDLE, 1, 0, Set.of("gpu"), null, "NVIDIA GeForce RTX 4090", "hub-1");
        AgentSlots a100 = new AgentSlots("a100", AgentStatus.IDLE, 1, 0, Set.of("gpu"), null, "NVIDIA A100-SXM4-80GB", "hub-1");
        assertThat(Eligibility.preferredGpuNote(rtx, "RTX 4090")).isEqualTo("placed on agent rtx, which has the preferred GPU RTX 4090");
        assertThat(Eligibility.preferredGpuNote(a100, "RTX 4090"))
                .isEqualTo("no eligible agent with the preferred GPU RTX 4090 was free; placed on agent a100 (NVIDIA A100-SXM4-80GB)");
        assertThat(Eligibility.preferredGpuNote(a100, null)).isNull();
        assertThat(Eligibility.preferredGpuNote(a100, " ")).isNull();
    }

    @Test
    void higherPriorityWaitsLessThenOlderFirst() {
        assertThat(Eligibility.waitingScore(10, 2_000)).isLessThan(Eligibility.waitingScore(0, 1_000));
        assertThat(Eligibility.waitingScore(0, 1_000)).isLessThan(Eligibility.waitingScore(0, 2_000));
        assertThat(Eligibility.waitingScore(-100, 1_000)).isGreaterThan(Eligibility.waitingScore(100, 9_999_999_999_999L));
    }
}
