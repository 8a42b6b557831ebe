package io.cyberun.task.domain;

import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.TaskOutputFile;
import java.util.List;

/** Everything that may change a task's state: transition requests, a user's cancel, the timeout sweeper. */
public sealed interface TaskCommand {

    record MarkWaiting(String reason) implements TaskCommand {
    }

    /**
     * {@code provision}: the agent must sync models first, so the task becomes {@code provisioning}, not {@code queued}.
     * {@code attempt}: the dispatch attempt the scheduler sent, or 0 for "the next one".
     */
    record Assign(String agentId, boolean provision, int attempt) implements TaskCommand {
        public Assign(String agentId, boolean provision) {
            this(agentId, provision, 0);
        }

        public Assign(String agentId) {
            this(agentId, false, 0);
        }
    }

    record Start(String agentId, int attempt) implements TaskCommand {
    }

    record Complete(String agentId, int attempt, List<TaskOutputFile> outputs) implements TaskCommand {
    }

    record Fail(String agentId, int attempt, String error, boolean retryable, List<LogLine> lastLogs) implements TaskCommand {
    }

    record Requeue(String agentId, int attempt, String reason) implements TaskCommand {
    }

    record Cancel(String reason) implements TaskCommand {
    }

    /** The task ran longer than its workflow's {@code task_timeout} allows. */
    record TimedOut(int attempt, int timeoutSeconds) implements TaskCommand {
    }
}
