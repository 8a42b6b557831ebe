package io.cyberun.contracts.events;

import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskOutputFile;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.contracts.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What happened to a task, on topic {@code task-events}, written only by task-service. {@code seq} numbers a
 * task's events 1, 2, 3… with no gaps; it is also the SSE event id. {@code status} is the task's status after
 * the event.
 */
public sealed interface TaskEvent extends EventData permits TaskEvent.Submitted, TaskEvent.StatusChanged,
        TaskEvent.Progressed, TaskEvent.Logged, TaskEvent.Previewed, TaskEvent.Completed, TaskEvent.Failed, TaskEvent.Cancelled {

    EventFamily<TaskEvent> FAMILY = EventFamily.of(TaskEvent.class, "io.cyberun.task.");

    UUID taskId();

    long seq();

    TaskStatus status();

    Instant at();

    @Override
    default String subject() {
        return taskId().toString();
    }

    @Override
    default Long sequence() {
        return seq();
    }

    /** The task was accepted ({@code pending}); the spec is everything the scheduler and agent need. */
    record Submitted(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at, TaskSpec spec)
            implements TaskEvent {
    }

    /**
     * A non-terminal status change: waiting, provisioning, queued (with the agent and dispatch attempt),
     * running, or back to pending for a retry or a re-dispatch. {@code retryAt}: for a retry, when it may be
     * dispatched (its back-off); {@code null} otherwise.
     */
    record StatusChanged(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at,
                         TaskStatus previousStatus, String agentId, int attempt, int retryCount, String reason, Instant retryAt)
            implements TaskEvent {

        public StatusChanged(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at, TaskStatus previousStatus,
                             String agentId, int attempt, int retryCount, String reason) {
            this(taskId, teamId, seq, status, at, previousStatus, agentId, attempt, retryCount, reason, null);
        }
    }

    record Progressed(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at, ProgressInfo progress)
            implements TaskEvent {
    }

    record Logged(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at, List<LogLine> lines)
            implements TaskEvent {
    }

    /** A preview image of the running task; the image is fetched by {@code preview.previewId()} while it is kept. */
    record Previewed(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at, io.cyberun.contracts.task.PreviewInfo preview)
            implements TaskEvent {
    }

    record Completed(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at, String agentId,
                     int attempt, List<TaskOutputFile> outputs) implements TaskEvent {
    }

    record Failed(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at, String agentId, int attempt,
                  String error, List<LogLine> lastLogs) implements TaskEvent {
    }

    /** Cancelled; {@code agentId} is set when an agent held the task and must be told to abort. */
    record Cancelled(UUID taskId, UUID teamId, long seq, TaskStatus status, Instant at, String agentId,
                     int attempt, TaskStatus previousStatus, String reason) implements TaskEvent {
    }
}
