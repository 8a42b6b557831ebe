package io.cyberun.contracts.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.task.LogLine;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A task as the API returns it: the product's fields (section 4.2 of the API notes) plus {@code status},
 * {@code priority}, {@code progress}, the resolved {@code parameters}, the last log lines and {@code last_seq}, the
 * number of the task's last event (where its event stream has reached: a client that also follows a stream keeps
 * whichever news is newer). Every field is present, {@code null} while unknown (a waiting task has no
 * {@code agent_id} or {@code started_at} yet), as typed clients expect.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TaskView(
        UUID id,
        UUID workflowId,
        int workflowVersion,
        String workflowSlug,
        String status,
        int priority,
        Double progress,
        JsonNode progressInfo,
        JsonNode parameters,
        String taskError,
        int retryCount,
        int maxRetries,
        int attempt,
        String agentId,
        JsonNode agentLabels,
        String gatewayId,
        String gpuType,
        String dispatchTarget,
        String targetPool,
        String submitterRegion,
        String toolType,
        Instant createdAt,
        Instant queuedAt,
        Instant startedAt,
        Instant completedAt,
        Instant updatedAt,
        long lastSeq,
        List<LogLine> lastLogs) {

    /** How many log lines a task view carries. */
    public static final int LOG_LINES = 20;
}
