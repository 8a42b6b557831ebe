package io.cyberun.contracts.events;

import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.TaskOutputFile;
import java.util.List;
import java.util.UUID;

/**
 * A request to change a task's state, on topic {@code task-transitions}, from the scheduler or agent-hub.
 * task-service applies it only when it is legal for the task's current state and dispatch attempt, so a
 * duplicate, late or reordered request changes nothing.
 */
public sealed interface TaskTransition extends EventData permits TaskTransition.MarkWaiting,
        TaskTransition.Assign, TaskTransition.Start, TaskTransition.Complete, TaskTransition.Fail,
        TaskTransition.Requeue {

    EventFamily<TaskTransition> FAMILY = EventFamily.of(TaskTransition.class, "io.cyberun.transition.");

    UUID taskId();

    @Override
    default String subject() {
        return taskId().toString();
    }

    /** The scheduler has the task but no eligible agent is free. */
    record MarkWaiting(UUID taskId, UUID teamId, String reason) implements TaskTransition {
    }

    /**
     * The scheduler reserved a slot on an agent and dispatched {@code attempt} there (it does not wait for this record
     * to be applied): the task becomes {@code queued} with that attempt, or {@code provisioning} when {@code provision}
     * is set (the agent first syncs models the workflow needs; a second Assign to the same agent and attempt then makes
     * it {@code queued}). {@code gatewayId} is the hub replica holding the agent; labels and GPU are recorded on the
     * task. {@code attempt} 0 means "the next attempt", whatever it is. {@code note}: what the task's log should say about
     * the choice (a preferred GPU met or not), or null.
     */
    record Assign(UUID taskId, UUID teamId, String agentId, String gatewayId, List<String> agentLabels, String gpuType,
                  boolean provision, int attempt, String note) implements TaskTransition {
        public Assign(UUID taskId, UUID teamId, String agentId, String gatewayId, List<String> agentLabels, String gpuType) {
            this(taskId, teamId, agentId, gatewayId, agentLabels, gpuType, false, 0, null);
        }

        public Assign(UUID taskId, UUID teamId, String agentId, String gatewayId, List<String> agentLabels, String gpuType,
                      boolean provision, int attempt) {
            this(taskId, teamId, agentId, gatewayId, agentLabels, gpuType, provision, attempt, null);
        }
    }

    /** The agent acknowledged dispatch {@code attempt}: the task runs. */
    record Start(UUID taskId, UUID teamId, String agentId, int attempt) implements TaskTransition {
    }

    record Complete(UUID taskId, UUID teamId, String agentId, int attempt, List<TaskOutputFile> outputs)
            implements TaskTransition {
    }

    /**
     * The attempt failed. {@code retryable} failures (the agent's error, a timeout, a disconnect) run again
     * while retries remain.
     */
    record Fail(UUID taskId, UUID teamId, String agentId, int attempt, String error, boolean retryable,
                List<LogLine> lastLogs) implements TaskTransition {
    }

    /**
     * The dispatch of {@code attempt} did not take (not acknowledged in time, refused, agent gone before the
     * ack): back to {@code pending} to be scheduled again, without counting as a retry.
     */
    record Requeue(UUID taskId, UUID teamId, String agentId, int attempt, String reason) implements TaskTransition {
    }
}
