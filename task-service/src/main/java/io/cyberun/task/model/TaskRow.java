package io.cyberun.task.model;

import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.domain.TaskState;
import java.time.Instant;
import java.util.UUID;

/**
 * The part of a task its state changes read and write: everything but the spec and parameters, which are written
 * once when the task is submitted. JSON columns are kept as their text.
 */
public final class TaskRow {
    public UUID id;
    public UUID teamId;
    public UUID workflowId;
    public TaskStatus status;
    public long seq;
    public int attempt;
    public int retryCount;
    public int maxRetries;
    public int taskTimeout;
    public String agentId;
    public String gpuType;
    public String gatewayId;
    /** JSON array text. */
    public String agentLabels;
    public Double progress;
    /** JSON text. */
    public String progressInfo;
    /** JSON text. */
    public String taskOutput;
    public String taskError;
    /** JSON array text of the last log lines. */
    public String lastLogs;
    public Instant queuedAt;
    public Instant startedAt;
    public Instant completedAt;
    public Instant deadlineAt;
    public Instant updatedAt;

    public TaskState state() {
        return new TaskState(status, attempt, retryCount, maxRetries, agentId);
    }
}
