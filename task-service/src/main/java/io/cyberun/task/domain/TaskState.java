package io.cyberun.task.domain;

import io.cyberun.contracts.task.TaskStatus;

/**
 * The part of a task the state machine decides on.
 *
 * @param attempt    the current dispatch attempt; each assignment to an agent starts a new one
 * @param retryCount failed attempts that were retried
 * @param agentId    the agent holding the task while it is provisioning, queued or running
 */
public record TaskState(TaskStatus status, int attempt, int retryCount, int maxRetries, String agentId) {

    public static TaskState submitted(int maxRetries) {
        return new TaskState(TaskStatus.PENDING, 0, 0, maxRetries, null);
    }

    TaskState with(TaskStatus newStatus, int newAttempt, int newRetryCount, String newAgentId) {
        return new TaskState(newStatus, newAttempt, newRetryCount, maxRetries, newAgentId);
    }
}
