package io.cyberun.task.messaging;

import io.cyberun.common.rest.Outages;
import io.cyberun.task.domain.TaskCommand;
import io.cyberun.task.repository.TaskStore;
import io.cyberun.task.service.TaskChanges;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Enforces {@code task_timeout}, counted from the agent's acknowledgement: an overdue attempt fails, or is
 * retried while retries remain. Every replica sweeps; the state machine makes a second timeout a no-op. A sweep takes
 * the {@value #PER_SWEEP} most overdue attempts; the next one, 5 s later, takes the rest.
 */
@ApplicationScoped
public class TaskTimeoutSweeper {
    private static final Logger LOG = Logger.getLogger(TaskTimeoutSweeper.class);
    static final int PER_SWEEP = 1000;

    private final Pool pool;
    private final TaskStore tasks;
    private final TaskChanges changes;
    private final Clock clock;

    public TaskTimeoutSweeper(Pool pool, TaskStore tasks, TaskChanges changes, Clock clock) {
        this.pool = pool;
        this.tasks = tasks;
        this.changes = changes;
        this.clock = clock;
    }

    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return tasks.overdue(pool, clock.instant(), PER_SWEEP)
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(t -> changes.apply(new TaskChanges.Command(t.id, null,
                        new TaskCommand.TimedOut(t.attempt, t.taskTimeout))))
                .collect().last()
                .replaceWithVoid()
                // The next sweep takes what this one could not: a database outage is a line in the log, not a stack trace.
                .onFailure(Outages::isOutage).recoverWithUni(e -> {
                    LOG.warnf("the timeout sweep waits for the database: %s", e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }
}
