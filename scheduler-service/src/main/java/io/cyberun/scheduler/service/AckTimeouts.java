package io.cyberun.scheduler.service;

import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.scheduler.config.SchedulerConfig;
import io.cyberun.scheduler.registry.TaskBook;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;

/**
 * Sends back to the queue every dispatch its agent did not acknowledge in time; one replica handles each. task-service
 * decides: a queued attempt goes back to pending, and an attempt it never recorded is used up, so the next dispatch
 * gets a new attempt number and a late acknowledgement of this one is refused.
 */
@ApplicationScoped
public class AckTimeouts {
    private final TaskBook book;
    private final Outbound out;
    private final SchedulerConfig config;
    private final Clock clock;

    public AckTimeouts(TaskBook book, Outbound out, SchedulerConfig config, Clock clock) {
        this.book = book;
        this.out = out;
        this.config = config;
        this.clock = clock;
    }

    public Uni<Void> requeueUnacknowledged() {
        long cutoff = clock.millis() - config.ackTimeout().toMillis();
        return book.unacknowledgedBefore(cutoff).flatMap(ids -> Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> book.claimUnacknowledged(id).flatMap(mine -> !mine
                        ? Uni.createFrom().voidItem()
                        : book.get(id).flatMap(t -> t == null || t.status() != TaskStatus.QUEUED || t.agentId() == null
                                ? Uni.createFrom().voidItem()
                                : out.transition(new TaskTransition.Requeue(id, t.teamId(), t.agentId(), t.attempt(),
                                        "agent " + t.agentId() + " did not acknowledge the dispatch within " + config.ackTimeout().toSeconds() + " s")))))
                .collect().last().replaceWithVoid());
    }
}
