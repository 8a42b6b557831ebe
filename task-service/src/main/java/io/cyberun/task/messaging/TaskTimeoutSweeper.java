package io.cyberun.task.messaging;

import io.cyberun.task.domain.TaskCommand;
import io.cyberun.task.repository.TaskRepository;
import io.cyberun.task.service.TaskChanges;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;

/**
 * Enforces {@code task_timeout}, counted from the agent's acknowledgement: an overdue attempt fails, or is
 * retried while retries remain. Every replica sweeps; the state machine makes a second timeout a no-op.
 */
@ApplicationScoped
public class TaskTimeoutSweeper {
    private final TaskRepository tasks;
    private final TaskChanges changes;
    private final Clock clock;

    public TaskTimeoutSweeper(TaskRepository tasks, TaskChanges changes, Clock clock) {
        this.tasks = tasks;
        this.changes = changes;
        this.clock = clock;
    }

    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return Panache.withSession(() -> tasks.overdue(clock.instant()))
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(t -> changes.apply(new TaskChanges.Command(t.id, null,
                        new TaskCommand.TimedOut(t.attempt, t.taskTimeout))))
                .collect().last()
                .replaceWithVoid();
    }
}
