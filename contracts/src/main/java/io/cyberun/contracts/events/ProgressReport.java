package io.cyberun.contracts.events;

import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ProgressInfo;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What an agent reports while it runs a task, on topic {@code task-progress} (short retention). task-service
 * numbers it into the task's event log and republishes it as a {@link TaskEvent}.
 */
public sealed interface ProgressReport extends EventData permits ProgressReport.Progress, ProgressReport.Logs, ProgressReport.Preview {

    EventFamily<ProgressReport> FAMILY = EventFamily.of(ProgressReport.class, "io.cyberun.progress.");

    UUID taskId();

    String agentId();

    int attempt();

    Instant at();

    @Override
    default String subject() {
        return taskId().toString();
    }

    record Progress(UUID taskId, UUID teamId, String agentId, int attempt, Instant at, ProgressInfo progress)
            implements ProgressReport {
    }

    record Logs(UUID taskId, UUID teamId, String agentId, int attempt, Instant at, List<LogLine> lines)
            implements ProgressReport {
    }

    /** A preview image, already stored by the hub (see {@link io.cyberun.contracts.task.PreviewInfo}). */
    record Preview(UUID taskId, UUID teamId, String agentId, int attempt, Instant at, io.cyberun.contracts.task.PreviewInfo preview)
            implements ProgressReport {
    }
}
