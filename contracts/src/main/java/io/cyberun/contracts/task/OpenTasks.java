package io.cyberun.contracts.task;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A page of the tasks that have not ended, in id order, as task-service holds them: what the scheduler rebuilds its
 * book from after Redis lost it ({@code GET /internal/v1/tasks/open?after=<id>&limit=<n>}, services only).
 *
 * @param next the id to pass as {@code after} for the next page, or {@code null} after the last page
 */
public record OpenTasks(List<OpenTask> tasks, UUID next) {

    /** One task: its state, the dispatch attempt and agent holding it, its last event number and its spec. */
    public record OpenTask(UUID taskId, UUID teamId, TaskStatus status, String agentId, int attempt, long seq, TaskSpec spec,
                           Instant createdAt) {
    }
}
