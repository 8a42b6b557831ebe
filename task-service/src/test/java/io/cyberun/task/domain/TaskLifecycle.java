package io.cyberun.task.domain;

import io.cyberun.contracts.task.TaskStatus;
import java.util.Map;
import java.util.Set;

/** The lifecycle's legal edges, written out once for the property and model tests. */
public final class TaskLifecycle {
    public static final Map<TaskStatus, Set<TaskStatus>> LEGAL = Map.of(
            TaskStatus.PENDING, Set.of(TaskStatus.WAITING, TaskStatus.PROVISIONING, TaskStatus.QUEUED, TaskStatus.CANCELLED),
            // waiting -> pending: a dispatch of the next attempt was refused before its assignment was recorded.
            TaskStatus.WAITING, Set.of(TaskStatus.PROVISIONING, TaskStatus.QUEUED, TaskStatus.PENDING, TaskStatus.CANCELLED),
            TaskStatus.PROVISIONING, Set.of(TaskStatus.QUEUED, TaskStatus.PENDING, TaskStatus.FAILED, TaskStatus.CANCELLED),
            TaskStatus.QUEUED, Set.of(TaskStatus.RUNNING, TaskStatus.PENDING, TaskStatus.FAILED, TaskStatus.CANCELLED),
            TaskStatus.RUNNING, Set.of(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.PENDING, TaskStatus.CANCELLED),
            TaskStatus.COMPLETED, Set.of(),
            TaskStatus.FAILED, Set.of(),
            TaskStatus.CANCELLED, Set.of());

    private TaskLifecycle() {
    }

    public static boolean legal(TaskStatus from, TaskStatus to) {
        return LEGAL.get(from).contains(to);
    }
}
