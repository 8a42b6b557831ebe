package io.cyberun.task.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.task.TaskStatus;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random histories of commands (duplicates and reorderings included, as at-least-once delivery produces them)
 * never take a task along an illegal edge, out of a terminal state, or past its retries.
 */
class TaskStateMachineProperties {

    @Provide
    Arbitrary<List<TaskCommand>> histories() {
        return commands().list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    static Arbitrary<TaskCommand> commands() {
        Arbitrary<String> agent = Arbitraries.of("gpu-a", "gpu-b");
        Arbitrary<Integer> attempt = Arbitraries.integers().between(0, 3);
        return Arbitraries.oneOf(
                Arbitraries.just(new TaskCommand.MarkWaiting("no agent")),
                agent.map(TaskCommand.Assign::new),
                Combinators.combine(agent, attempt).as(TaskCommand.Start::new),
                Combinators.combine(agent, attempt).as((a, n) -> new TaskCommand.Complete(a, n, List.of())),
                Combinators.combine(agent, attempt, Arbitraries.of(true, false))
                        .as((a, n, retryable) -> new TaskCommand.Fail(a, n, "boom", retryable, List.of())),
                Combinators.combine(agent, attempt).as((a, n) -> new TaskCommand.Requeue(a, n, "no ack")),
                Arbitraries.just(new TaskCommand.Cancel("user")),
                attempt.map(n -> new TaskCommand.TimedOut(n, 60)));
    }

    @Property(tries = 3000)
    void everyAcceptedStepIsALegalEdgeAndTerminalStatesAreFinal(@ForAll("histories") List<TaskCommand> history,
                                                                @ForAll @IntRange(min = 0, max = 3) int maxRetries) {
        TaskState state = TaskState.submitted(maxRetries);
        long seq = 1;
        for (TaskCommand command : history) {
            Decision decision = TaskStateMachine.decide(state, command);
            if (decision instanceof Decision.Accepted accepted) {
                TaskState next = accepted.next();
                assertThat(state.status().isTerminal()).as("left terminal %s with %s", state, command).isFalse();
                assertThat(TaskLifecycle.legal(state.status(), next.status())).as("%s -> %s by %s", state.status(), next.status(), command).isTrue();
                assertThat(next.attempt()).isBetween(state.attempt(), state.attempt() + 1);
                assertThat(next.retryCount()).isBetween(state.retryCount(), maxRetries);
                boolean holdsAgent = next.status() == TaskStatus.QUEUED || next.status() == TaskStatus.RUNNING;
                assertThat(next.agentId() != null || !holdsAgent).as("a dispatched task names its agent").isTrue();
                seq++;
                state = next;
            }
        }
        // One event per accepted change: the log numbers 1..seq without a gap by construction of the service.
        assertThat(seq).isGreaterThanOrEqualTo(1);
    }

    @Property(tries = 2000)
    void aCommandAppliedTwiceChangesTheTaskOnlyOnce(@ForAll("histories") List<TaskCommand> history,
                                                    @ForAll @IntRange(min = 0, max = 2) int maxRetries) {
        TaskState state = TaskState.submitted(maxRetries);
        for (TaskCommand command : history) {
            if (TaskStateMachine.decide(state, command) instanceof Decision.Accepted accepted) {
                state = accepted.next();
                assertThat(TaskStateMachine.decide(state, command)).as("%s redelivered on %s", command, state)
                        .isInstanceOf(Decision.Ignored.class);
            }
        }
    }

    @Property(tries = 1000)
    void onceTerminalNothingMovesTheTask(@ForAll("histories") List<TaskCommand> history) {
        TaskState state = TaskState.submitted(1);
        for (TaskCommand command : history) {
            TaskState before = state;
            Decision decision = TaskStateMachine.decide(state, command);
            if (before.status().isTerminal()) {
                assertThat(decision).isInstanceOf(Decision.Ignored.class);
            } else if (decision instanceof Decision.Accepted accepted) {
                state = accepted.next();
            }
        }
    }

    @Provide
    Arbitrary<List<TaskCommand>> directHistories() {
        Arbitrary<TaskCommand> assignments = Combinators.combine(Arbitraries.of("gpu-a", "gpu-b"), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 3)).as(TaskCommand.Assign::new);
        return Arbitraries.oneOf(commands(), assignments).list().ofMinSize(1).ofMaxSize(25);
    }

    /**
     * The scheduler dispatches before its assignment is recorded, so agents' reports may imply steps: still every step is
     * a legal edge (or the task staying pending while a refused attempt is used up), attempts only grow, and by one at
     * most per command, terminal states are final and a dispatched task names its agent.
     */
    @Property(tries = 3000)
    void everyImpliedStepIsLegalAndAttemptsNeverGoBack(@ForAll("directHistories") List<TaskCommand> history,
                                                       @ForAll @IntRange(min = 0, max = 3) int maxRetries) {
        TaskState state = TaskState.submitted(maxRetries);
        for (TaskCommand command : history) {
            TaskState before = state;
            List<Decision.Accepted> steps = TaskStateMachine.steps(state, command);
            assertThat(before.status().isTerminal() && !steps.isEmpty()).as("left terminal %s with %s", before, command).isFalse();
            for (Decision.Accepted step : steps) {
                TaskState next = step.next();
                boolean usedUp = state.status() != TaskStatus.RUNNING && next.status() == TaskStatus.PENDING && command instanceof TaskCommand.Requeue;
                assertThat(usedUp || TaskLifecycle.legal(state.status(), next.status())).as("%s -> %s by %s", state.status(), next.status(), command).isTrue();
                assertThat(next.attempt()).isGreaterThanOrEqualTo(state.attempt());
                assertThat(next.retryCount()).isBetween(state.retryCount(), maxRetries);
                boolean holdsAgent = next.status() == TaskStatus.QUEUED || next.status() == TaskStatus.RUNNING;
                assertThat(next.agentId() != null || !holdsAgent).as("a dispatched task names its agent").isTrue();
                state = next;
            }
            assertThat(state.attempt()).as("%s on %s", command, before).isBetween(before.attempt(), before.attempt() + 1);
        }
    }

    @Property(tries = 2000)
    void aReportAppliedTwiceChangesTheTaskOnlyOnce(@ForAll("directHistories") List<TaskCommand> history,
                                                   @ForAll @IntRange(min = 0, max = 2) int maxRetries) {
        TaskState state = TaskState.submitted(maxRetries);
        for (TaskCommand command : history) {
            List<Decision.Accepted> steps = TaskStateMachine.steps(state, command);
            if (!steps.isEmpty()) {
                state = steps.get(steps.size() - 1).next();
                if (!(command instanceof TaskCommand.MarkWaiting)) {
                    assertThat(TaskStateMachine.steps(state, command)).as("%s redelivered on %s", command, state).isEmpty();
                }
            }
        }
    }
}
