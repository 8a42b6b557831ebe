package io.cyberun.task.rest;

import io.cyberun.contracts.api.TaskView;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.task.model.Task;
import java.util.List;

/** A task as the API returns it ({@link TaskView}), from the stored task and its last log lines. */
final class TaskViews {
    private TaskViews() {
    }

    static TaskView of(Task t, List<LogLine> tail) {
        return new TaskView(t.id, t.workflowId, t.workflowVersion, t.workflowSlug, t.status,
                t.spec == null ? 0 : t.spec.path("priority").asInt(0), t.progress, t.progressInfo,
                t.parameters, t.taskError, t.retryCount, t.maxRetries, t.attempt, t.agentId, t.agentLabels, t.gatewayId, t.gpuType,
                t.dispatchTarget,
                t.targetPool, t.submitterRegion, t.toolType, t.createdAt, t.queuedAt, t.startedAt, t.completedAt, t.updatedAt, t.seq,
                tail.subList(Math.max(0, tail.size() - TaskView.LOG_LINES), tail.size()));
    }
}
