package io.cyberun.task.service;

import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.domain.TaskState;
import java.time.Duration;

/** The lines the platform writes into a task's log about its own steps (placement, retries, requeues). */
final class PlatformNotes {
    private PlatformNotes() {
    }

    /**
     * What the task's log says about a step the platform took rather than the workflow: where a task with a preferred GPU
     * was placed, a retry (with its back-off) and a dispatch that went back to the queue before its agent ran it.
     * {@code null} for the other steps.
     */
    static String of(TaskState before, TaskEvent event, TaskTransition.Assign assignment) {
        if (!(event instanceof TaskEvent.StatusChanged c)) {
            return null;
        }
        boolean placed = c.status() == TaskStatus.QUEUED || c.status() == TaskStatus.PROVISIONING;
        if (placed && before.status() != TaskStatus.PROVISIONING && assignment != null && assignment.note() != null) {
            return assignment.note();
        }
        if (c.status() != TaskStatus.PENDING) {
            return null;
        }
        if (c.retryAt() != null) {
            long seconds = Math.max(0, Math.round(Duration.between(c.at(), c.retryAt()).toMillis() / 1000.0));
            String reason = c.reason() == null ? "" : c.reason();
            int after = reason.indexOf(" after: ");
            String retry = after < 0 ? "retry " + c.retryCount() : reason.substring(0, after);
            String error = after < 0 ? reason : reason.substring(after + " after: ".length());
            return retry + " in " + seconds + " s: attempt " + before.attempt()
                    + (before.agentId() == null ? "" : " on agent " + before.agentId()) + " failed: " + error;
        }
        if (before.status() == TaskStatus.QUEUED || before.status() == TaskStatus.PROVISIONING) {
            return "dispatch " + before.attempt() + (before.agentId() == null ? "" : " to agent " + before.agentId())
                    + " went back to the queue (" + c.reason() + "); another eligible agent is tried first";
        }
        return null;
    }
}
