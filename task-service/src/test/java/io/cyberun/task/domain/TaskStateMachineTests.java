package io.cyberun.task.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.task.TaskStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskStateMachineTests {
    private static final TaskState PENDING = TaskState.submitted(1);

    private static TaskState accept(TaskState state, TaskCommand command) {
        Decision d = TaskStateMachine.decide(state, command);
        assertThat(d).as("%s on %s", command, state).isInstanceOf(Decision.Accepted.class);
        return ((Decision.Accepted) d).next();
    }

    private static void ignored(TaskState state, TaskCommand command) {
        assertThat(TaskStateMachine.decide(state, command)).as("%s on %s", command, state).isInstanceOf(Decision.Ignored.class);
    }

    @Test
    void aTaskRunsFromPendingThroughWaitingQueuedAndRunningToCompleted() {
        TaskState waiting = accept(PENDING, new TaskCommand.MarkWaiting("no agent"));
        assertThat(waiting.status()).isEqualTo(TaskStatus.WAITING);
        TaskState queued = accept(waiting, new TaskCommand.Assign("gpu-1"));
        assertThat(queued).isEqualTo(new TaskState(TaskStatus.QUEUED, 1, 0, 1, "gpu-1"));
        TaskState running = accept(queued, new TaskCommand.Start("gpu-1", 1));
        assertThat(running.status()).isEqualTo(TaskStatus.RUNNING);
        TaskState done = accept(running, new TaskCommand.Complete("gpu-1", 1, List.of()));
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void aTaskWhoseAgentLacksModelsProvisionsThereThenIsQueuedOnThatAgentWithTheSameAttempt() {
        TaskState provisioning = accept(PENDING, new TaskCommand.Assign("gpu-1", true));
        assertThat(provisioning).isEqualTo(new TaskState(TaskStatus.PROVISIONING, 1, 0, 1, "gpu-1"));
        ignored(provisioning, new TaskCommand.Assign("gpu-1", true));
        ignored(provisioning, new TaskCommand.Start("gpu-1", 1));
        TaskState queued = accept(provisioning, new TaskCommand.Assign("gpu-1"));
        assertThat(queued).isEqualTo(new TaskState(TaskStatus.QUEUED, 1, 0, 1, "gpu-1"));
        TaskState requeued = accept(provisioning, new TaskCommand.Requeue("gpu-1", 1, "agent left during the sync"));
        assertThat(requeued.status()).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void aPendingTaskWithAFreeAgentIsQueuedDirectly() {
        assertThat(accept(PENDING, new TaskCommand.Assign("gpu-1")).status()).isEqualTo(TaskStatus.QUEUED);
    }

    @Test
    void terminalStatesAreFinal() {
        TaskState completed = new TaskState(TaskStatus.COMPLETED, 1, 0, 1, "gpu-1");
        for (TaskCommand c : List.of(new TaskCommand.Cancel("x"), new TaskCommand.Assign("gpu-2"), new TaskCommand.Start("gpu-1", 1),
                new TaskCommand.Fail("gpu-1", 1, "boom", true, List.of()), new TaskCommand.Requeue("gpu-1", 1, "x"),
                new TaskCommand.MarkWaiting("x"), new TaskCommand.TimedOut(1, 10))) {
            ignored(completed, c);
            ignored(new TaskState(TaskStatus.FAILED, 1, 0, 1, "gpu-1"), c);
            ignored(new TaskState(TaskStatus.CANCELLED, 1, 0, 1, "gpu-1"), c);
        }
    }

    @Test
    void anAcknowledgementOfAnotherAttemptOrAgentChangesNothing() {
        TaskState queued = new TaskState(TaskStatus.QUEUED, 2, 0, 1, "gpu-1");
        ignored(queued, new TaskCommand.Start("gpu-1", 1));
        ignored(queued, new TaskCommand.Start("gpu-2", 2));
        TaskState running = accept(queued, new TaskCommand.Start("gpu-1", 2));
        ignored(running, new TaskCommand.Start("gpu-1", 2));
        ignored(running, new TaskCommand.Complete("gpu-1", 1, List.of()));
    }

    @Test
    void anAgentFailureIsRetriedWhileRetriesRemainThenFails() {
        TaskState running = new TaskState(TaskStatus.RUNNING, 1, 0, 1, "gpu-1");
        Decision first = TaskStateMachine.decide(running, new TaskCommand.Fail("gpu-1", 1, "out of memory", true, List.of()));
        assertThat(first).isInstanceOfSatisfying(Decision.Accepted.class, a -> {
            assertThat(a.outcome()).isEqualTo(Decision.Outcome.RETRYING);
            assertThat(a.next()).isEqualTo(new TaskState(TaskStatus.PENDING, 1, 1, 1, null));
        });
        TaskState again = new TaskState(TaskStatus.RUNNING, 2, 1, 1, "gpu-2");
        Decision second = TaskStateMachine.decide(again, new TaskCommand.Fail("gpu-2", 2, "out of memory", true, List.of()));
        assertThat(second).isInstanceOfSatisfying(Decision.Accepted.class, a -> {
            assertThat(a.outcome()).isEqualTo(Decision.Outcome.FAILED);
            assertThat(a.next().status()).isEqualTo(TaskStatus.FAILED);
            assertThat(a.reason()).isEqualTo("out of memory");
        });
    }

    @Test
    void aFailureThatIsNotRetryableFailsAtOnce() {
        TaskState running = new TaskState(TaskStatus.RUNNING, 1, 0, 3, "gpu-1");
        assertThat(accept(running, new TaskCommand.Fail("gpu-1", 1, "bad outputs", false, List.of())).status()).isEqualTo(TaskStatus.FAILED);
    }

    @Test
    void anUnacknowledgedDispatchGoesBackToPendingWithoutUsingARetry() {
        TaskState queued = new TaskState(TaskStatus.QUEUED, 1, 0, 0, "gpu-1");
        TaskState back = accept(queued, new TaskCommand.Requeue("gpu-1", 1, "no ack"));
        assertThat(back).isEqualTo(new TaskState(TaskStatus.PENDING, 1, 0, 0, null));
        assertThat(accept(back, new TaskCommand.Assign("gpu-2")).attempt()).isEqualTo(2);
        ignored(new TaskState(TaskStatus.RUNNING, 1, 0, 0, "gpu-1"), new TaskCommand.Requeue("gpu-1", 1, "late"));
    }

    @Test
    void aTimeoutOfTheRunningAttemptRetriesOrFails() {
        TaskState running = new TaskState(TaskStatus.RUNNING, 3, 0, 0, "gpu-1");
        ignored(running, new TaskCommand.TimedOut(2, 60));
        Decision d = TaskStateMachine.decide(running, new TaskCommand.TimedOut(3, 60));
        assertThat(d).isInstanceOfSatisfying(Decision.Accepted.class, a -> {
            assertThat(a.next().status()).isEqualTo(TaskStatus.FAILED);
            assertThat(a.reason()).contains("timed out after 60 s");
        });
    }

    @Test
    void cancelIsAcceptedInEveryNonTerminalState() {
        for (TaskStatus s : List.of(TaskStatus.PENDING, TaskStatus.WAITING, TaskStatus.PROVISIONING, TaskStatus.QUEUED, TaskStatus.RUNNING)) {
            assertThat(accept(new TaskState(s, 1, 0, 0, "gpu-1"), new TaskCommand.Cancel("user")).status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    @Test
    void aDuplicateOrLateRequestNeverMovesATaskBackwards() {
        TaskState running = new TaskState(TaskStatus.RUNNING, 1, 0, 0, "gpu-1");
        ignored(running, new TaskCommand.MarkWaiting("late"));
        ignored(running, new TaskCommand.Assign("gpu-1"));
        ignored(new TaskState(TaskStatus.WAITING, 0, 0, 0, null), new TaskCommand.MarkWaiting("again"));
        ignored(new TaskState(TaskStatus.PROVISIONING, 1, 0, 0, "gpu-1"), new TaskCommand.Assign("gpu-2"));
    }

    private static List<TaskStatus> steps(TaskState state, TaskCommand command) {
        return TaskStateMachine.steps(state, command).stream().map(a -> a.next().status()).toList();
    }

    @Test
    void anAcknowledgementOfTheNextAttemptImpliesItsAssignmentWhenTheRecordIsLateOrLost() {
        assertThat(steps(PENDING, new TaskCommand.Start("gpu-1", 1))).containsExactly(TaskStatus.QUEUED, TaskStatus.RUNNING);
        TaskState waiting = new TaskState(TaskStatus.WAITING, 2, 1, 3, null);
        assertThat(steps(waiting, new TaskCommand.Start("gpu-1", 3))).containsExactly(TaskStatus.QUEUED, TaskStatus.RUNNING);
        assertThat(TaskStateMachine.steps(waiting, new TaskCommand.Start("gpu-1", 3)).get(1).next())
                .isEqualTo(new TaskState(TaskStatus.RUNNING, 3, 1, 3, "gpu-1"));
        // Not the next attempt: an old or made-up dispatch changes nothing.
        assertThat(steps(waiting, new TaskCommand.Start("gpu-1", 2))).isEmpty();
        assertThat(steps(waiting, new TaskCommand.Start("gpu-1", 4))).isEmpty();
        // The late assignment record is then refused.
        TaskState running = new TaskState(TaskStatus.RUNNING, 1, 0, 1, "gpu-1");
        assertThat(steps(running, new TaskCommand.Assign("gpu-1", false, 1))).isEmpty();
    }

    @Test
    void aResultOfAnAttemptTaskServiceHasNotSeenStartRecordsEveryStepItImplies() {
        assertThat(steps(PENDING, new TaskCommand.Complete("gpu-1", 1, List.of())))
                .containsExactly(TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.COMPLETED);
        TaskState queued = new TaskState(TaskStatus.QUEUED, 1, 0, 1, "gpu-1");
        assertThat(steps(queued, new TaskCommand.Complete("gpu-1", 1, List.of()))).containsExactly(TaskStatus.RUNNING, TaskStatus.COMPLETED);
        assertThat(steps(queued, new TaskCommand.Complete("gpu-2", 1, List.of()))).isEmpty();
        assertThat(steps(PENDING, new TaskCommand.Fail("gpu-1", 1, "boom", true, List.of()))).containsExactly(TaskStatus.QUEUED, TaskStatus.PENDING);
        TaskState provisioning = new TaskState(TaskStatus.PROVISIONING, 1, 0, 1, "gpu-1");
        assertThat(steps(provisioning, new TaskCommand.Start("gpu-1", 1))).containsExactly(TaskStatus.QUEUED, TaskStatus.RUNNING);
    }

    @Test
    void aRefusedDispatchTaskServiceNeverRecordedUsesItsAttemptUpSoItsLateRecordIsRefused() {
        List<Decision.Accepted> requeue = TaskStateMachine.steps(PENDING, new TaskCommand.Requeue("gpu-1", 1, "no ack"));
        assertThat(requeue).hasSize(1);
        TaskState after = requeue.get(0).next();
        assertThat(after).isEqualTo(new TaskState(TaskStatus.PENDING, 1, 0, 1, null));
        assertThat(steps(after, new TaskCommand.Assign("gpu-1", false, 1))).isEmpty();
        assertThat(steps(after, new TaskCommand.Start("gpu-1", 1))).isEmpty();
        assertThat(steps(after, new TaskCommand.Assign("gpu-2", false, 2))).containsExactly(TaskStatus.QUEUED);
    }

    @Test
    void anAssignmentOfAnyButTheNextAttemptIsRefused() {
        ignored(PENDING, new TaskCommand.Assign("gpu-1", false, 2));
        assertThat(accept(PENDING, new TaskCommand.Assign("gpu-1", false, 1))).isEqualTo(new TaskState(TaskStatus.QUEUED, 1, 0, 1, "gpu-1"));
        TaskState provisioning = new TaskState(TaskStatus.PROVISIONING, 1, 0, 1, "gpu-1");
        ignored(provisioning, new TaskCommand.Assign("gpu-1", false, 2));
        assertThat(accept(provisioning, new TaskCommand.Assign("gpu-1", false, 1)).status()).isEqualTo(TaskStatus.QUEUED);
    }
}
