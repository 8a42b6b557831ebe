package io.cyberun.task.domain;

import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.domain.Decision.Accepted;
import io.cyberun.task.domain.Decision.Ignored;
import io.cyberun.task.domain.Decision.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The task lifecycle, with no I/O: {@code pending → waiting → provisioning → queued → running → completed |
 * failed | cancelled}. Invariants:
 * <ul>
 * <li>terminal states are final: every command on a terminal task is ignored;</li>
 * <li>a command about a dispatch attempt applies only to that attempt on that agent, so a late, duplicate or
 * reordered message changes nothing;</li>
 * <li>a failed attempt is retried (back to {@code pending}, {@code retry_count + 1}) only when the failure was
 * the agent's or a timeout, and retries remain;</li>
 * <li>a dispatch that did not take (not acknowledged, refused) goes back to {@code pending} without counting
 * as a retry.</li>
 * </ul>
 */
public final class TaskStateMachine {

    private TaskStateMachine() {
    }

    public static Decision decide(TaskState state, TaskCommand command) {
        TaskStatus status = state.status();
        if (status.isTerminal()) {
            return new Ignored("task is already " + status.wireName());
        }
        return switch (command) {
            case TaskCommand.MarkWaiting w -> status == TaskStatus.PENDING
                    ? new Accepted(state.with(TaskStatus.WAITING, state.attempt(), state.retryCount(), null), Outcome.STATUS_CHANGED, w.reason())
                    : new Ignored("only a pending task starts waiting");
            case TaskCommand.Assign a -> assign(state, a);
            case TaskCommand.Start s -> {
                if (status != TaskStatus.QUEUED || !holds(state, s.agentId(), s.attempt())) {
                    yield new Ignored("no queued dispatch " + s.attempt() + " on agent " + s.agentId());
                }
                yield new Accepted(state.with(TaskStatus.RUNNING, state.attempt(), state.retryCount(), state.agentId()),
                        Outcome.STATUS_CHANGED, "agent acknowledged");
            }
            case TaskCommand.Complete c -> status == TaskStatus.RUNNING && holds(state, c.agentId(), c.attempt())
                    ? new Accepted(state.with(TaskStatus.COMPLETED, state.attempt(), state.retryCount(), state.agentId()), Outcome.COMPLETED, "completed")
                    : new Ignored("no running attempt " + c.attempt() + " on agent " + c.agentId());
            case TaskCommand.Fail f -> {
                boolean dispatched = status == TaskStatus.RUNNING || status == TaskStatus.QUEUED || status == TaskStatus.PROVISIONING;
                if (!dispatched || !holds(state, f.agentId(), f.attempt())) {
                    yield new Ignored("no dispatched attempt " + f.attempt() + " on agent " + f.agentId());
                }
                yield failOrRetry(state, f.retryable(), f.error());
            }
            case TaskCommand.Requeue r -> {
                boolean notYetRunning = status == TaskStatus.QUEUED || status == TaskStatus.PROVISIONING;
                if (!notYetRunning || !holds(state, r.agentId(), r.attempt())) {
                    yield new Ignored("no unacknowledged dispatch " + r.attempt() + " on agent " + r.agentId());
                }
                yield new Accepted(state.with(TaskStatus.PENDING, state.attempt(), state.retryCount(), null), Outcome.STATUS_CHANGED, r.reason());
            }
            case TaskCommand.Cancel c ->
                    new Accepted(state.with(TaskStatus.CANCELLED, state.attempt(), state.retryCount(), state.agentId()), Outcome.CANCELLED, c.reason());
            case TaskCommand.TimedOut t -> status == TaskStatus.RUNNING && state.attempt() == t.attempt()
                    ? failOrRetry(state, true, "task timed out after " + t.timeoutSeconds() + " s")
                    : new Ignored("attempt " + t.attempt() + " is not running");
        };
    }

    /**
     * The steps a command takes the task through, each recorded as one event. Besides {@link #decide}'s single step,
     * a report from an agent about the attempt the scheduler dispatched next implies what task-service has not heard
     * yet, because the scheduler dispatches without waiting for the assignment to be recorded: an acknowledgement,
     * result or refusal of attempt {@code n + 1} of a pending or waiting task implies its assignment to that agent
     * ({@code queued}), and a result of a queued attempt implies its start ({@code running}). So a late or lost
     * assignment record never strands a task, and the log still shows every state the task went through.
     * <p>
     * A refusal ({@code Requeue}) of an attempt task-service never recorded uses that attempt up: the task stays
     * {@code pending} with {@code attempt = n + 1}, so the next dispatch is {@code n + 2} and a late record of
     * {@code n + 1} is refused.
     */
    public static List<Accepted> steps(TaskState state, TaskCommand command) {
        List<Accepted> steps = new ArrayList<>(3);
        TaskState current = state;
        TaskCommand implied = implied(current, command);
        while (implied != null) {
            if (!(decide(current, implied) instanceof Accepted accepted)) {
                break;
            }
            steps.add(accepted);
            current = accepted.next();
            implied = implied(current, command);
        }
        if (command instanceof TaskCommand.Requeue r && steps.isEmpty() && nextAttemptOf(state, r.attempt())) {
            steps.add(new Accepted(state.with(TaskStatus.PENDING, r.attempt(), state.retryCount(), null), Outcome.STATUS_CHANGED, r.reason()));
            return steps;
        }
        if (decide(current, command) instanceof Accepted accepted) {
            steps.add(accepted);
            return steps;
        }
        return steps.isEmpty() ? List.of() : steps;
    }

    /** The step {@code command} implies before it can apply to {@code state}, or {@code null}. */
    private static TaskCommand implied(TaskState state, TaskCommand command) {
        String agent;
        int attempt;
        switch (command) {
            case TaskCommand.Start s -> {
                agent = s.agentId();
                attempt = s.attempt();
            }
            case TaskCommand.Complete c -> {
                agent = c.agentId();
                attempt = c.attempt();
            }
            case TaskCommand.Fail f -> {
                agent = f.agentId();
                attempt = f.attempt();
            }
            default -> {
                return null;
            }
        }
        if (agent == null || attempt <= 0) {
            return null;
        }
        return switch (state.status()) {
            case PENDING, WAITING -> nextAttemptOf(state, attempt) ? new TaskCommand.Assign(agent, false, attempt) : null;
            case PROVISIONING -> holds(state, agent, attempt) && !(command instanceof TaskCommand.Fail)
                    ? new TaskCommand.Assign(agent, false, attempt) : null;
            case QUEUED -> command instanceof TaskCommand.Complete && holds(state, agent, attempt) ? new TaskCommand.Start(agent, attempt) : null;
            default -> null;
        };
    }

    private static boolean nextAttemptOf(TaskState state, int attempt) {
        return (state.status() == TaskStatus.PENDING || state.status() == TaskStatus.WAITING) && attempt == state.attempt() + 1;
    }

    private static Decision assign(TaskState state, TaskCommand.Assign a) {
        if (a.agentId() == null || a.agentId().isBlank()) {
            return new Ignored("an assignment needs an agent");
        }
        return switch (state.status()) {
            case PENDING, WAITING -> a.attempt() != 0 && a.attempt() != state.attempt() + 1
                    ? new Ignored("attempt " + a.attempt() + " is not the next dispatch (" + (state.attempt() + 1) + ")")
                    : a.provision()
                    ? new Accepted(state.with(TaskStatus.PROVISIONING, state.attempt() + 1, state.retryCount(), a.agentId()),
                            Outcome.STATUS_CHANGED, "agent " + a.agentId() + " syncs the models the workflow needs")
                    : new Accepted(state.with(TaskStatus.QUEUED, state.attempt() + 1, state.retryCount(), a.agentId()),
                            Outcome.STATUS_CHANGED, "dispatched to agent " + a.agentId());
            // A task provisioning on an agent is dispatched to that same agent once its models are there.
            case PROVISIONING -> Objects.equals(state.agentId(), a.agentId()) && !a.provision()
                    && (a.attempt() == 0 || a.attempt() == state.attempt())
                    ? new Accepted(state.with(TaskStatus.QUEUED, state.attempt(), state.retryCount(), a.agentId()), Outcome.STATUS_CHANGED, "models ready")
                    : new Ignored("task is provisioning on agent " + state.agentId());
            default -> new Ignored("task is already " + state.status().wireName());
        };
    }

    private static Decision failOrRetry(TaskState state, boolean retryable, String error) {
        if (retryable && state.retryCount() < state.maxRetries()) {
            return new Accepted(state.with(TaskStatus.PENDING, state.attempt(), state.retryCount() + 1, null), Outcome.RETRYING,
                    "retry " + (state.retryCount() + 1) + " of " + state.maxRetries() + " after: " + error);
        }
        return new Accepted(state.with(TaskStatus.FAILED, state.attempt(), state.retryCount(), state.agentId()), Outcome.FAILED, error);
    }

    private static boolean holds(TaskState state, String agentId, int attempt) {
        return state.attempt() == attempt && Objects.equals(state.agentId(), agentId);
    }
}
