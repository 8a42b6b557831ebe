package io.cyberun.task.messaging;

import io.cyberun.task.repository.TaskRepository;
import io.cyberun.task.service.TaskService;
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
    private final TaskService service;
    private final Clock clock;

    public TaskTimeoutSweeper(TaskRepository tasks, TaskService service, Clock clock) {
        this.tasks = tasks;
        this.service = service;
        this.clock = clock;
    }

    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return Panache.withSession(() -> tasks.overdue(clock.instant()))
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(t -> service.timeOut(t.id, t.attempt, t.spec.path("task_timeout").asInt()))
                .collect().last()
                .replaceWithVoid();
    }
}
