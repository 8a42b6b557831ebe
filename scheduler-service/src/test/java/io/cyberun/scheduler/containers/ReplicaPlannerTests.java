package io.cyberun.scheduler.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.common.container.ReplicaRecords.Assignment;
import io.cyberun.common.container.ReplicaRecords.Report;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.container.DesiredService;
import io.cyberun.contracts.container.ReplicaSpec;
import io.cyberun.contracts.container.ReplicaState;
import io.cyberun.scheduler.domain.AgentSlots;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ReplicaPlannerTests {
    static final UUID TEAM = UUID.randomUUID();
    static final UUID SERVICE = UUID.randomUUID();
    static final long NOW = 1_000_000;

    static DesiredService service(int replicas, int gpus, List<String> labels, int generation) {
        ReplicaSpec template = new ReplicaSpec(SERVICE, "svc", null, generation, "deployed", "img", null, null, 8080, "/health", Map.of(),
                List.of(), gpus);
        return new DesiredService(SERVICE, TEAM, "svc", true, replicas, labels, template, null);
    }

    static AgentSlots agent(String id, int gpus, String... labels) {
        return new AgentSlots(id, AgentStatus.IDLE, gpus, 0, Set.of(labels), null, null, "hub-1");
    }

    static Map<String, AgentSlots> agents(AgentSlots... all) {
        return java.util.Arrays.stream(all).collect(java.util.stream.Collectors.toMap(AgentSlots::agentId, a -> a));
    }

    static Supplier<String> ids() {
        AtomicInteger n = new AtomicInteger();
        return () -> "r" + n.incrementAndGet();
    }

    static Report report(String agent, ReplicaState state, int generation) {
        return new Report(TEAM, agent, "hub-1", state, state == ReplicaState.FAILED ? "exited" : null, generation, Instant.ofEpochMilli(NOW - 1000),
                NOW - 1000);
    }

    @Test
    void replicasAreSpreadOverEligibleAgentsWithTheLabelsAndFreeGpus() {
        var plan = ReplicaPlanner.run(service(3, 1, List.of("gpu"), 1), Map.of(), Map.of(),
                agents(agent("a", 2, "gpu"), agent("b", 1, "gpu"), agent("c", 4, "cpu")), Map.of(), 0, NOW, ids());
        assertThat(plan.starts()).extracting(ReplicaPlanner.Start::agentId).containsExactlyInAnyOrder("a", "a", "b");
        assertThat(plan.observation().serviceStatus()).isEqualTo(DesiredService.DEPLOYING);
        // GPUs held by other services leave no room: the service waits and says why.
        var full = ReplicaPlanner.run(service(1, 1, List.of("gpu"), 1), Map.of(), Map.of(), agents(agent("a", 1, "gpu")), Map.of("a", 1), 0,
                NOW, ids());
        assertThat(full.starts()).isEmpty();
        assertThat(full.observation().statusReason()).contains("no connected agent has the labels [gpu] and 1 GPU(s) free");
    }

    @Test
    void aHealthyReplicaIsRoutedAndTheServiceRuns() {
        var plan = ReplicaPlanner.run(service(2, 0, List.of(), 1), Map.of("r1", new Assignment(TEAM, "a", 1, NOW - 5000),
                        "r2", new Assignment(TEAM, "a", 1, NOW - 5000)),
                Map.of("r1", report("a", ReplicaState.HEALTHY, 1), "r2", report("a", ReplicaState.STARTING, 1)), agents(agent("a", 1)), Map.of(), 0,
                NOW, ids());
        assertThat(plan.starts()).isEmpty();
        assertThat(plan.route().replicas()).extracting(t -> t.replicaId()).containsExactly("r1");
        assertThat(plan.observation().serviceStatus()).isEqualTo(DesiredService.RUNNING);
        assertThat(plan.observation().statusReason()).isEqualTo("1 of 2 replicas healthy");
        assertThat(plan.healthyNow()).isTrue();
    }

    @Test
    void aFailedReplicaOrOneOnAnAgentThatLeftIsReplacedAndStaysInView() {
        var plan = ReplicaPlanner.run(service(2, 0, List.of(), 1), Map.of("r1", new Assignment(TEAM, "a", 1, NOW - 5000),
                        "r2", new Assignment(TEAM, "gone", 1, NOW - 5000)),
                Map.of("r1", report("a", ReplicaState.FAILED, 1), "r2", report("gone", ReplicaState.HEALTHY, 1)), agents(agent("a", 1)), Map.of(), 0,
                NOW, ids());
        assertThat(plan.dropAssignments()).containsExactlyInAnyOrder("r1", "r2");
        assertThat(plan.starts()).hasSize(2);
        assertThat(plan.newFailures()).isEqualTo(2);
        assertThat(plan.reportWrites().get("r2").reason()).isEqualTo("agent gone disconnected");
        assertThat(plan.observation().replicas()).extracting(r -> r.replicaId() + " " + r.state().wireName())
                .contains("r1 failed", "r2 failed");
    }

    @Test
    void replicasThatKeepFailingMakeTheServiceFailedAndNoMoreArePlaced() {
        var plan = ReplicaPlanner.run(service(1, 0, List.of(), 1), Map.of("r1", new Assignment(TEAM, "a", 1, NOW - 5000)),
                Map.of("r1", report("a", ReplicaState.FAILED, 1)), agents(agent("a", 1)), Map.of(), ReplicaPlanner.FAILURE_LIMIT - 1, NOW, ids());
        assertThat(plan.starts()).isEmpty();
        assertThat(plan.observation().serviceStatus()).isEqualTo(DesiredService.FAILED);
        assertThat(plan.observation().statusReason()).contains("last: exited").contains("deploy again");
    }

    @Test
    void aNewGenerationReplacesTheOldReplicasAndExtraOnesAreStopped() {
        var plan = ReplicaPlanner.run(service(1, 0, List.of(), 2), Map.of("old", new Assignment(TEAM, "a", 1, NOW - 5000)),
                Map.of("old", report("a", ReplicaState.HEALTHY, 1)), agents(agent("a", 1)), Map.of(), 0, NOW, ids());
        assertThat(plan.stops()).extracting(ReplicaPlanner.Stop::replicaId).containsExactly("old");
        assertThat(plan.starts()).hasSize(1);
        assertThat(plan.route().replicas()).isEmpty();

        var fewer = ReplicaPlanner.run(service(1, 0, List.of(), 1), Map.of("x", new Assignment(TEAM, "a", 1, NOW - 9000),
                        "y", new Assignment(TEAM, "a", 1, NOW - 5000)),
                Map.of("x", report("a", ReplicaState.HEALTHY, 1), "y", report("a", ReplicaState.STARTING, 1)), agents(agent("a", 1)), Map.of(), 0,
                NOW, ids());
        assertThat(fewer.stops()).extracting(ReplicaPlanner.Stop::replicaId).containsExactly("y");
    }

    @Test
    void anAgentSilentPastTheStartLimitLosesThePlacement() {
        var plan = ReplicaPlanner.run(service(1, 0, List.of(), 1), Map.of("r1", new Assignment(TEAM, "a", 1, NOW - ReplicaPlanner.START_LIMIT_MS - 1)),
                Map.of(), agents(agent("a", 1), agent("b", 1)), Map.of(), 0, NOW, ids());
        assertThat(plan.dropAssignments()).containsExactly("r1");
        assertThat(plan.stops()).extracting(ReplicaPlanner.Stop::agentId).containsExactly("a");
        assertThat(plan.starts()).hasSize(1);
    }

    @Test
    void stoppingStopsEveryReplicaAndIsDoneWhenNoneIsLeft() {
        var stopping = ReplicaPlanner.stopAll(Map.of("r1", new Assignment(TEAM, "a", 1, NOW)), Map.of("r1", report("a", ReplicaState.HEALTHY, 1)),
                agents(agent("a", 1)));
        assertThat(stopping.stops()).extracting(ReplicaPlanner.Stop::replicaId).containsExactly("r1");
        assertThat(stopping.observation().serviceStatus()).isEqualTo(DesiredService.STOPPING);
        var stopped = ReplicaPlanner.stopAll(Map.of(), Map.of("r1", report("gone", ReplicaState.HEALTHY, 1)), agents(agent("a", 1)));
        assertThat(stopped.reportDeletes()).containsExactly("r1");
        assertThat(stopped.observation().serviceStatus()).isEqualTo(DesiredService.STOPPED);
    }

    @Test
    void afterRedisLostThePlacementsTheReplicasAgentsReportAreAdoptedNotStartedAgain() {
        // Within the hold nothing new is placed: the agents' reports come back first.
        var held = ReplicaPlanner.run(service(2, 0, List.of(), 1), Map.of(), Map.of(), agents(agent("a", 1)), Map.of(), 0, NOW, ids(), false);
        assertThat(held.starts()).isEmpty();
        // Reported again: both are adopted (placements written back), routed, and nothing is started or stopped.
        var plan = ReplicaPlanner.run(service(2, 0, List.of(), 1), Map.of(),
                Map.of("r1", report("a", ReplicaState.HEALTHY, 1), "r2", report("a", ReplicaState.HEALTHY, 1),
                        "old", report("a", ReplicaState.HEALTHY, 0)), agents(agent("a", 1)), Map.of(), 0, NOW, ids());
        assertThat(plan.newAssignments()).containsOnlyKeys("r1", "r2");
        assertThat(plan.starts()).isEmpty();
        assertThat(plan.stops()).extracting(ReplicaPlanner.Stop::replicaId).containsExactly("old");
        assertThat(plan.route().replicas()).hasSize(2);
        assertThat(plan.observation().serviceStatus()).isEqualTo(DesiredService.RUNNING);
    }
}
