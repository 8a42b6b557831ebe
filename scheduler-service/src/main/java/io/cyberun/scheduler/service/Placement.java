package io.cyberun.scheduler.service;

import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.scheduler.config.SchedulerConfig;
import io.cyberun.scheduler.registry.AgentView;
import io.cyberun.scheduler.registry.TaskBook;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * Places tasks on agents as task-service records their lifecycle. A submitted task is reserved a slot on the best
 * eligible agent and dispatched at once, or queued as waiting (and task-service told so); a task pending again (a
 * retry, a dispatch that did not take) is placed again; a finished task frees its slot, and the team's next waiting
 * task that fits that agent takes it, in the same script call. Each event is one script call.
 */
@ApplicationScoped
public class Placement {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Placement.class);
    private final TaskBook book;
    private final AgentView view;
    private final Dispatches dispatches;
    private final Outbound out;
    private final SchedulerConfig config;
    private final Clock clock;
    private final io.vertx.core.Vertx vertx;

    public Placement(TaskBook book, AgentView view, Dispatches dispatches, Outbound out, SchedulerConfig config, Clock clock,
                     io.vertx.core.Vertx vertx) {
        this.book = book;
        this.view = view;
        this.dispatches = dispatches;
        this.out = out;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
    }

    public Uni<Void> onTaskEvent(TaskEvent event) {
        return switch (event) {
            case TaskEvent.Submitted s -> submitted(s);
            case TaskEvent.StatusChanged c -> c.status() == TaskStatus.PENDING ? pendingAgain(c) : book.update(c).replaceWithVoid();
            case TaskEvent.Completed c -> finished(c, null, 0);
            case TaskEvent.Failed f -> finished(f, f.agentId(), f.attempt());
            case TaskEvent.Cancelled c -> finished(c, c.agentId(), c.attempt());
            case TaskEvent.Progressed p -> Uni.createFrom().voidItem();
            case TaskEvent.Logged l -> Uni.createFrom().voidItem();
            case TaskEvent.Previewed p -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> submitted(TaskEvent.Submitted s) {
        List<String> candidates = view.candidates(s.teamId(), s.spec());
        return book.submit(s, candidates, clock.millis()).invoke(d -> LOG.debugf("task %s submitted, candidates %s: %s", s.taskId(), candidates, d))
                .flatMap(d -> d.waiting()
                ? out.transition(new TaskTransition.MarkWaiting(s.taskId(), s.teamId(),
                        "waiting for an eligible agent with labels " + s.spec().requiredLabels()))
                : dispatches.send(s.teamId(), d.placed(), d.repeated()));
    }

    private Uni<Void> pendingAgain(TaskEvent.StatusChanged c) {
        return book.get(c.taskId()).flatMap(tracked -> {
            if (tracked == null || tracked.spec() == null) {
                return book.update(c).replaceWithVoid();
            }
            return book.replace(c, tracked.spec(), tracked.submittedAtMillis(), view.candidates(c.teamId(), tracked.spec()),
                            clock.millis())
                    .flatMap(d -> {
                        if (!d.applied()) {
                            return Uni.createFrom().voidItem();
                        }
                        long backoff = c.retryAt() == null ? 0 : c.retryAt().toEpochMilli() - clock.millis();
                        if (backoff > 0 && d.placed().isEmpty() && !d.waiting()) {
                            placeWhenDue(c, backoff);
                        }
                        Uni<Void> sent = d.waiting()
                                ? out.transition(new TaskTransition.MarkWaiting(c.taskId(), c.teamId(),
                                        "waiting for an eligible agent with labels " + tracked.spec().requiredLabels()))
                                : dispatches.send(c.teamId(), d.placed(), d.repeated());
                        if (d.freedAgent() == null) {
                            return sent;
                        }
                        view.load(c.teamId(), d.freedAgent(), -1);
                        // The agent may still hold the attempt that went back to the queue; its freed slot may serve another task.
                        return sent.call(() -> out.command(new AgentCommand.Cancel(c.teamId(), d.freedAgent(), c.taskId(), c.attempt(),
                                        "the task was rescheduled: " + c.reason())))
                                .call(() -> placeWaiting(c.teamId()));
                    });
        });
    }

    /**
     * A retry backs off in the team's queue; this replica places the team's waiting tasks when it is due (the periodic
     * refresh of any replica does too, should this one stop first).
     */
    private void placeWhenDue(TaskEvent.StatusChanged c, long delayMillis) {
        LOG.debugf("task %s: retry %d backs off for %d ms", c.taskId(), c.retryCount(), delayMillis);
        vertx.setTimer(Math.max(1, delayMillis), id -> placeWaiting(c.teamId()).subscribe().with(
                ignored -> { },
                failure -> LOG.warnf("placing team %s's tasks after a retry's back-off failed (the periodic refresh retries): %s",
                        c.teamId(), failure.toString())));
    }

    /** The task ended; {@code agentId}/{@code attempt}: who task-service says held it (told to stop unless it finished it). */
    private Uni<Void> finished(TaskEvent event, String agentId, int attempt) {
        return book.finish(event, config.waitingBatch(), clock.millis()).flatMap(d -> {
            if (!d.applied()) {
                return Uni.createFrom().voidItem();
            }
            UUID team = event.teamId();
            String holder = d.freedAgent() != null ? d.freedAgent() : agentId;
            int heldAttempt = d.freedAgent() != null ? d.lastAttempt() : attempt;
            if (d.freedAgent() != null) {
                view.load(team, d.freedAgent(), -1);
            }
            Uni<Void> placed = dispatches.send(team, d.placed(), false);
            if (holder == null || event instanceof TaskEvent.Completed) {
                return placed;
            }
            String reason = event instanceof TaskEvent.Cancelled c && c.reason() != null ? c.reason()
                    : event instanceof TaskEvent.Failed f ? "the task failed: " + f.error() : "cancelled";
            return placed.call(() -> out.command(new AgentCommand.Cancel(team, holder, event.taskId(), heldAttempt, reason)));
        });
    }

    /** Places the team's waiting tasks on its agents with free slots. */
    public Uni<Void> placeWaiting(UUID team) {
        List<String> agents = view.withFreeSlots(team);
        return book.placeWaiting(team, agents, config.waitingBatch(), clock.millis())
                .invoke(placed -> LOG.debugf("team %s: waiting tasks placed on %s: %s", team, agents, placed))
                .flatMap(placed -> dispatches.send(team, placed, false));
    }
}
