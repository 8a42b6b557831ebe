package io.cyberun.scheduler.service;

import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.scheduler.config.SchedulerConfig;
import io.cyberun.scheduler.domain.AgentSlots;
import io.cyberun.scheduler.domain.Eligibility;
import io.cyberun.scheduler.registry.AgentRegistry;
import io.cyberun.scheduler.registry.AgentRegistry.Reservation;
import io.cyberun.scheduler.registry.TaskBook;
import io.cyberun.scheduler.registry.TaskBook.Tracked;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import io.cyberun.contracts.agent.RunningTask;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Matches tasks to agents. A task is placed when it is submitted or returns to {@code pending}; waiting tasks are
 * placed, in order, when an agent connects or frees a slot. Placing reserves a slot atomically and asks
 * task-service to mark the task {@code queued}; the dispatch command follows task-service's {@code queued}
 * event, so a task cancelled meanwhile is never dispatched.
 */
@ApplicationScoped
public class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    private final AgentRegistry agents;
    private final TaskBook book;
    private final Outbound out;
    private final SchedulerConfig config;
    private final Clock clock;
    private final Counter dispatches;

    public Dispatcher(AgentRegistry agents, TaskBook book, Outbound out, SchedulerConfig config, Clock clock, MeterRegistry metrics) {
        this.agents = agents;
        this.book = book;
        this.out = out;
        this.config = config;
        this.clock = clock;
        this.dispatches = metrics.counter("cyberun.scheduler.dispatches");
    }

    public Uni<Void> onTaskEvent(TaskEvent event) {
        if (event instanceof TaskEvent.Progressed || event instanceof TaskEvent.Logged) {
            return Uni.createFrom().voidItem();
        }
        return book.isNew(event).flatMap(isNew -> isNew ? apply(event) : Uni.createFrom().voidItem());
    }

    private Uni<Void> apply(TaskEvent event) {
        UUID team = event.teamId();
        UUID task = event.taskId();
        return switch (event) {
            case TaskEvent.Submitted s -> book.track(s).call(() -> place(task));
            case TaskEvent.StatusChanged c -> switch (c.status()) {
                case PENDING -> releaseAndCancel(team, task, c.previousStatus(), c.attempt(), "the task was rescheduled: " + c.reason())
                        .call(() -> book.update(c, null, c.attempt()))
                        .call(() -> place(task))
                        .call(() -> placeWaiting(team));
                case QUEUED -> book.update(c, c.agentId(), c.attempt())
                        .call(() -> book.dispatched(task, clock.millis()))
                        .call(() -> dispatch(c));
                case RUNNING -> book.update(c, c.agentId(), c.attempt()).call(() -> book.acknowledged(task));
                case PROVISIONING -> book.update(c, c.agentId(), c.attempt()).flatMap(v -> book.get(task)).flatMap(t -> t == null || t.spec() == null
                        ? Uni.createFrom().voidItem()
                        : out.command(new AgentCommand.SyncModels(team, c.agentId(), task, c.attempt(), t.spec().requiredModels())));
                default -> book.update(c, c.agentId(), c.attempt());
            };
            case TaskEvent.Completed c -> finish(c);
            case TaskEvent.Failed f -> finish(f);
            case TaskEvent.Cancelled c -> (c.agentId() == null ? Uni.createFrom().voidItem()
                    : out.command(new AgentCommand.Cancel(team, c.agentId(), task, c.attempt(), c.reason() == null ? "cancelled" : c.reason())))
                    .call(() -> finish(c));
            case TaskEvent.Progressed p -> Uni.createFrom().voidItem();
            case TaskEvent.Logged l -> Uni.createFrom().voidItem();
        };
    }

    public Uni<Void> onAgentEvent(AgentEvent event) {
        return switch (event) {
            case AgentEvent.Connected c -> reconcile(c).call(() -> placeWaiting(c.teamId()));
            case AgentEvent.StatusChanged s -> agents.statusChanged(s)
                    .call(applied -> applied && s.models() != null && s.status() != AgentStatus.SYNCING
                            ? provisioned(s.teamId(), s.agentId(), s.models())
                            : Uni.createFrom().voidItem())
                    .call(applied -> applied && s.status().takesTasks() ? placeWaiting(s.teamId()) : Uni.createFrom().voidItem())
                    .replaceWithVoid();
            case AgentEvent.Disconnected d -> agents.disconnected(d).call(tasks -> Multi.createFrom().iterable(tasks)
                    .onItem().transformToUniAndConcatenate(task -> agentLost(d, task))
                    .collect().last()).replaceWithVoid();
        };
    }

    /**
     * Drops agents whose hub stopped renewing their liveness key (a hub that died cannot say so): their tasks are
     * failed, retried or requeued as for a disconnect. Every replica sweeps; the session check makes a second drop
     * a no-op.
     */
    public Uni<Void> dropSilentAgents() {
        return agents.silent().flatMap(silent -> Multi.createFrom().iterable(silent)
                .onItem().transformToUniAndConcatenate(r -> {
                    if (r.sessionId() == null) {
                        return agents.unindex(r);
                    }
                    LOG.infof("agent %s of team %s stopped answering (its liveness key expired): dropping it", r.agentId(), r.teamId());
                    return onAgentEvent(new AgentEvent.Disconnected(r.teamId(), r.agentId(), r.hubId(), r.sessionId(), clock.instant(),
                            "no heartbeat reached the platform", List.of()));
                })
                .collect().last().replaceWithVoid());
    }

    /**
     * The agent finished a model sync and has {@code models}: each task provisioning on it is dispatched there if
     * the agent now has everything it needs, or failed when the team has no active model of that name.
     */
    private Uni<Void> provisioned(UUID team, String agentId, List<String> models) {
        Set<String> has = new HashSet<>(models);
        return agents.agent(team, agentId).flatMap(agent -> agents.slotsOf(team, agentId).flatMap(held -> Multi.createFrom().iterable(held)
                .onItem().transformToUniAndConcatenate(id -> book.get(id).flatMap(t -> {
                    if (t == null || t.spec() == null || !"provisioning".equals(t.status()) || !agentId.equals(t.agentId())) {
                        return Uni.createFrom().voidItem();
                    }
                    List<String> missing = t.spec().requiredModels().stream().filter(m -> !has.contains(m)).toList();
                    if (missing.isEmpty()) {
                        return out.transition(assignment(id, team, agentId, agent, false));
                    }
                    return out.transition(new TaskTransition.Fail(id, team, agentId, t.attempt(), "the team has no active model " + missing
                            + ": register it with POST /api/v1/models (or enable it) and run the task again", false, List.of()));
                }))
                .collect().last().replaceWithVoid()));
    }

    /** The Assign request for a slot on {@code agent} (its hub, labels and GPU are recorded on the task when known). */
    private static TaskTransition.Assign assignment(UUID task, UUID team, String agentId, AgentSlots agent, boolean provision) {
        return new TaskTransition.Assign(task, team, agentId, agent == null ? null : agent.hubId(),
                agent == null ? List.of() : List.copyOf(agent.labels()), agent == null ? null : agent.gpuType(), provision);
    }

    /** Sends back to the queue every dispatch that was not acknowledged in time; one replica handles each. */
    public Uni<Void> requeueUnacknowledged() {
        long cutoff = clock.millis() - config.ackTimeout().toMillis();
        return book.unacknowledgedBefore(cutoff).flatMap(ids -> Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> book.claimUnacknowledged(id).flatMap(mine -> !mine
                        ? Uni.createFrom().voidItem()
                        : book.get(id).flatMap(t -> t == null || !"queued".equals(t.status()) || t.agentId() == null
                                ? Uni.createFrom().voidItem()
                                : out.transition(new TaskTransition.Requeue(id, t.teamId(), t.agentId(), t.attempt(),
                                        "agent " + t.agentId() + " did not acknowledge the dispatch within " + config.ackTimeout().toSeconds() + " s")))))
                .collect().last().replaceWithVoid());
    }

    /** Places one task: reserves a slot on the best eligible agent, or queues it as waiting. */
    Uni<Void> place(UUID taskId) {
        return book.get(taskId).flatMap(task -> {
            if (task == null || task.spec() == null || !task.awaitingAgent()) {
                return Uni.createFrom().voidItem();
            }
            return agents.agents(task.teamId()).flatMap(team -> reserveOnFirst(Eligibility.candidates(team, task.spec()), 0, task)
                    .flatMap(reservation -> reservation == null ? markWaiting(task) : assign(task, reservation, new ArrayList<>(team))));
        });
    }

    /** Places the team's waiting tasks in order while any agent has a free slot. */
    public Uni<Void> placeWaiting(UUID team) {
        return agents.agents(team).flatMap(snapshot -> {
            List<AgentSlots> view = new ArrayList<>(snapshot);
            if (totalFree(view) == 0) {
                return Uni.createFrom().voidItem();
            }
            return book.waiting(team, config.waitingBatch()).flatMap(ids -> placeInOrder(team, ids, 0, view));
        });
    }

    private Uni<Void> placeInOrder(UUID team, List<UUID> ids, int index, List<AgentSlots> view) {
        if (index >= ids.size() || totalFree(view) == 0) {
            return Uni.createFrom().voidItem();
        }
        return book.get(ids.get(index)).flatMap(task -> {
            if (task == null || task.spec() == null || !task.awaitingAgent()) {
                return task == null ? book.dequeueWaiting(team, ids.get(index)) : Uni.createFrom().voidItem();
            }
            return reserveOnFirst(Eligibility.candidates(view, task.spec()), 0, task)
                    .flatMap(reservation -> reservation == null ? Uni.createFrom().voidItem() : assign(task, reservation, view));
        }).flatMap(ignored -> placeInOrder(team, ids, index + 1, view));
    }

    private Uni<Reservation> reserveOnFirst(List<AgentSlots> candidates, int index, Tracked task) {
        if (index >= candidates.size()) {
            return Uni.createFrom().nullItem();
        }
        return agents.reserve(task.teamId(), candidates.get(index).agentId(), task.taskId()).flatMap(r -> r instanceof Reservation.Full
                ? reserveOnFirst(candidates, index + 1, task)
                : Uni.createFrom().item(r));
    }

    private Uni<Void> assign(Tracked task, Reservation reservation, List<AgentSlots> view) {
        String agentId = switch (reservation) {
            case Reservation.Reserved r -> r.agentId();
            case Reservation.AlreadyHeld h -> h.agentId();
            case Reservation.Full f -> throw new IllegalStateException("a full agent cannot be assigned");
        };
        AgentSlots chosen = null;
        for (int i = 0; i < view.size(); i++) {
            AgentSlots a = view.get(i);
            if (a.agentId().equals(agentId)) {
                chosen = a;
                if (reservation instanceof Reservation.Reserved) {
                    view.set(i, new AgentSlots(a.agentId(), a.status(), a.capacity(), a.running() + 1, a.labels(), a.vramGb(), a.gpuType(),
                            a.hubId(), a.models()));
                }
            }
        }
        AgentSlots agent = chosen;
        Uni<AgentSlots> details = agent != null ? Uni.createFrom().item(agent) : agents.agent(task.teamId(), agentId);
        return book.dequeueWaiting(task.teamId(), task.taskId())
                .call(() -> details.flatMap(a -> out.transition(assignment(task.taskId(), task.teamId(), agentId, a,
                        a != null && !a.hasModels(task.spec().requiredModels())))));
    }

    private Uni<Void> markWaiting(Tracked task) {
        Uni<Void> queued = book.enqueueWaiting(task);
        return "pending".equals(task.status())
                ? queued.call(() -> out.transition(new TaskTransition.MarkWaiting(task.taskId(), task.teamId(),
                        "waiting for an eligible agent with labels " + task.spec().requiredLabels())))
                : queued;
    }

    /** On {@code queued}: sends the dispatch, if the task's slot is on that agent; otherwise back to the queue. */
    private Uni<Void> dispatch(TaskEvent.StatusChanged queued) {
        UUID task = queued.taskId();
        return agents.slotOf(task).flatMap(holder -> {
            if (holder == null) {
                // A stale assignment was applied (a redelivered request): take the slot now, or give the task back.
                return agents.reserve(queued.teamId(), queued.agentId(), task).flatMap(r -> r instanceof Reservation.Full
                        || (r instanceof Reservation.AlreadyHeld h && !h.agentId().equals(queued.agentId()))
                        ? out.transition(new TaskTransition.Requeue(task, queued.teamId(), queued.agentId(), queued.attempt(), "agent has no free slot"))
                        : sendDispatch(queued));
            }
            if (!holder.equals(queued.agentId())) {
                return out.transition(new TaskTransition.Requeue(task, queued.teamId(), queued.agentId(), queued.attempt(),
                        "the task's slot is on another agent"));
            }
            return sendDispatch(queued);
        });
    }

    private Uni<Void> sendDispatch(TaskEvent.StatusChanged queued) {
        return book.get(queued.taskId()).flatMap(task -> task == null || task.spec() == null
                ? Uni.createFrom().voidItem()
                : out.command(new AgentCommand.Dispatch(queued.teamId(), queued.agentId(), queued.taskId(), queued.attempt(), task.spec()))
                        .invoke(() -> dispatches.increment()));
    }

    private Uni<Void> finish(TaskEvent event) {
        return agents.release(event.teamId(), event.taskId())
                .call(() -> book.finish(event))
                .call(() -> placeWaiting(event.teamId()))
                .replaceWithVoid();
    }

    private Uni<Void> releaseAndCancel(UUID team, UUID task, TaskStatus previous, int attempt, String reason) {
        return agents.release(team, task).call(agent -> {
            boolean agentMayRunIt = previous == TaskStatus.QUEUED || previous == TaskStatus.RUNNING || previous == TaskStatus.PROVISIONING;
            return agent != null && agentMayRunIt
                    ? out.command(new AgentCommand.Cancel(team, agent, task, attempt, reason))
                    : Uni.createFrom().voidItem();
        }).replaceWithVoid();
    }

    /**
     * Compares what a (re)connected agent says it runs with what the platform expects of it. A reported task is kept
     * only if it is still that agent's current attempt; anything else is cancelled on the agent. A task the platform
     * saw running there that the agent no longer reports (it restarted) fails, and is retried if it may be. A task
     * dispatched but not acknowledged is left to the acknowledgement timeout.
     */
    private Uni<Void> reconcile(AgentEvent.Connected c) {
        List<RunningTask> reported = c.runningTasks() == null ? List.of() : c.runningTasks();
        return agents.slotsOf(c.teamId(), c.agentId()).flatMap(held -> Multi.createFrom().iterable(reported)
                .onItem().transformToUniAndConcatenate(rt -> book.get(rt.taskId()).map(t -> {
                    boolean expected = t != null && c.agentId().equals(t.agentId()) && t.attempt() == rt.attempt()
                            && ("queued".equals(t.status()) || "running".equals(t.status()) || "provisioning".equals(t.status()));
                    return expected ? rt : null;
                }).call(kept -> kept != null ? Uni.createFrom().voidItem()
                        : out.command(new AgentCommand.Cancel(c.teamId(), c.agentId(), rt.taskId(), rt.attempt(),
                                "the platform no longer expects this task on this agent"))))
                .filter(rt -> rt != null)
                .collect().asList()
                .call(kept -> agents.connected(withRunning(c, kept)))
                .call(kept -> {
                    Set<UUID> still = new HashSet<>();
                    kept.forEach(rt -> still.add(rt.taskId()));
                    return Multi.createFrom().iterable(held).filter(task -> !still.contains(task))
                            .onItem().transformToUniAndConcatenate(task -> book.get(task).flatMap(t -> t != null && "running".equals(t.status())
                                    && c.agentId().equals(t.agentId())
                                    ? out.transition(new TaskTransition.Fail(task, c.teamId(), c.agentId(), t.attempt(),
                                            "agent " + c.agentId() + " came back without the task (it restarted)", true, List.of()))
                                    : Uni.createFrom().voidItem()))
                            .collect().last();
                })
                .replaceWithVoid());
    }

    private static AgentEvent.Connected withRunning(AgentEvent.Connected c, List<RunningTask> running) {
        return new AgentEvent.Connected(c.teamId(), c.agentId(), c.hubId(), c.sessionId(), c.at(), c.labels(), c.gpuCapacity(), c.status(),
                running, c.systemStats(), c.versions(), c.models());
    }

    /** The agent is gone: a task it ran fails (and is retried if it may be); a task it had not acknowledged is requeued. */
    private Uni<Void> agentLost(AgentEvent.Disconnected gone, UUID taskId) {
        return book.get(taskId).flatMap(task -> {
            if (task == null || task.agentId() == null || !task.agentId().equals(gone.agentId())) {
                return agents.release(gone.teamId(), taskId).replaceWithVoid();
            }
            String why = "agent " + gone.agentId() + " disconnected" + (gone.reason() == null ? "" : ": " + gone.reason());
            LOG.infof("task %s lost its agent: %s", taskId, why);
            return "running".equals(task.status())
                    ? out.transition(new TaskTransition.Fail(taskId, gone.teamId(), gone.agentId(), task.attempt(), why, true, List.of()))
                    : out.transition(new TaskTransition.Requeue(taskId, gone.teamId(), gone.agentId(), task.attempt(), why));
        });
    }

    private static int totalFree(List<AgentSlots> view) {
        return view.stream().filter(a -> a.status() != null && a.status().takesTasks()).mapToInt(AgentSlots::free).sum();
    }
}
