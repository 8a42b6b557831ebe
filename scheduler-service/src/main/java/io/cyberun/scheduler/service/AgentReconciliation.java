package io.cyberun.scheduler.service;

import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.scheduler.registry.AgentRegistry;
import io.cyberun.scheduler.registry.AgentView;
import io.cyberun.scheduler.registry.TaskBook;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Keeps the platform's view of agents true to the agents: a (re)connected agent keeps only the tasks the platform still
 * expects of it, a departed or silent agent's tasks are failed (retried while they may be) or requeued, and an agent
 * that finished a model sync gets the tasks provisioning on it. Every change of an agent's capacity lets waiting tasks
 * be placed.
 */
@ApplicationScoped
public class AgentReconciliation {
    private static final Logger LOG = Logger.getLogger(AgentReconciliation.class);

    private final AgentRegistry agents;
    private final AgentView view;
    private final TaskBook book;
    private final Placement placement;
    private final Dispatches dispatches;
    private final Outbound out;
    private final Clock clock;

    public AgentReconciliation(AgentRegistry agents, AgentView view, TaskBook book, Placement placement, Dispatches dispatches, Outbound out,
                               Clock clock) {
        this.agents = agents;
        this.view = view;
        this.book = book;
        this.placement = placement;
        this.dispatches = dispatches;
        this.out = out;
        this.clock = clock;
    }

    public Uni<Void> onAgentEvent(AgentEvent event) {
        return switch (event) {
            case AgentEvent.Connected c -> reconcile(c).invoke(() -> LOG.debugf("agent %s connected", c.agentId())).call(() -> placement.placeWaiting(c.teamId()));
            case AgentEvent.StatusChanged s -> agents.statusChanged(s)
                    .invoke(applied -> {
                        if (applied) {
                            view.statusChanged(s);
                        }
                    })
                    .call(applied -> applied && s.models() != null && s.status() != AgentStatus.SYNCING
                            ? provisioned(s.teamId(), s.agentId(), s.models())
                            : Uni.createFrom().voidItem())
                    .call(applied -> applied && s.status().takesTasks() ? placement.placeWaiting(s.teamId()) : Uni.createFrom().voidItem())
                    .replaceWithVoid();
            case AgentEvent.Disconnected d -> agents.disconnected(d).flatMap(tasks -> {
                if (tasks == null) {
                    return Uni.createFrom().voidItem();
                }
                view.disconnected(d.teamId(), d.agentId());
                return Multi.createFrom().iterable(tasks).onItem().transformToUniAndConcatenate(task -> agentLost(d, task))
                        .collect().last().replaceWithVoid();
            });
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
                    if (agent == null || t == null || t.spec() == null || t.status() != TaskStatus.PROVISIONING || !agentId.equals(t.agentId())) {
                        return Uni.createFrom().voidItem();
                    }
                    List<String> missing = t.spec().requiredModels().stream().filter(m -> !has.contains(m)).toList();
                    if (!missing.isEmpty()) {
                        return out.transition(new TaskTransition.Fail(id, team, agentId, t.attempt(), "the team has no active model " + missing
                                + ": register it with POST /api/v1/models (or enable it) and run the task again", false, List.of()));
                    }
                    return book.provisioned(team, id, agentId, clock.millis()).flatMap(attempt -> attempt == 0
                            ? Uni.createFrom().voidItem()
                            : dispatches.dispatchProvisioned(team, id, agent, attempt, t.spec()));
                }))
                .collect().last().replaceWithVoid()));
    }

    /**
     * Compares what a (re)connected agent says it runs with what the platform expects of it. A reported task is kept
     * if it is still that agent's current attempt, or newer than any the book knows (a book restored from a record that
     * lagged behind the last placement); anything else is cancelled on the agent. A task the platform
     * saw running there that the agent no longer reports (it restarted) fails, and is retried if it may be. A task
     * dispatched but not acknowledged is left to the acknowledgement timeout.
     */
    private Uni<Void> reconcile(AgentEvent.Connected c) {
        List<RunningTask> reported = c.runningTasks() == null ? List.of() : c.runningTasks();
        return agents.slotsOf(c.teamId(), c.agentId()).flatMap(held -> Multi.createFrom().iterable(reported)
                .onItem().transformToUniAndConcatenate(rt -> book.adoptReported(c.teamId(), rt.taskId(), c.agentId(), rt.attempt())
                        .map(keep -> keep ? rt : null)
                        .call(kept -> kept != null ? Uni.createFrom().voidItem()
                        : out.command(new AgentCommand.Cancel(c.teamId(), c.agentId(), rt.taskId(), rt.attempt(),
                                "the platform no longer expects this task on this agent"))))
                .filter(rt -> rt != null)
                .collect().asList()
                .call(kept -> agents.connected(withRunning(c, kept)))
                .call(kept -> agents.slotsOf(c.teamId(), c.agentId()).invoke(slots -> view.connected(c, slots.size())))
                .call(kept -> {
                    Set<UUID> still = new HashSet<>();
                    kept.forEach(rt -> still.add(rt.taskId()));
                    return Multi.createFrom().iterable(held).filter(task -> !still.contains(task))
                            .onItem().transformToUniAndConcatenate(task -> book.get(task).flatMap(t -> t != null && t.status() == TaskStatus.RUNNING
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
            return task.status() == TaskStatus.RUNNING
                    ? out.transition(new TaskTransition.Fail(taskId, gone.teamId(), gone.agentId(), task.attempt(), why, true, List.of()))
                    : out.transition(new TaskTransition.Requeue(taskId, gone.teamId(), gone.agentId(), task.attempt(), why));
        });
    }

    /**
     * Rebuilds this replica's view of the agents from Redis, then places the waiting tasks of every team with a free
     * slot: a task that was queued while this replica's view was behind (an agent connected through another replica a
     * moment before) waits at most this long.
     */
    public Uni<Void> refreshView() {
        return agents.all().flatMap(all -> {
            view.replace(all);
            return Multi.createFrom().iterable(view.teamsWithFreeSlots()).onItem().transformToUniAndConcatenate(placement::placeWaiting)
                    .collect().last();
        }).replaceWithVoid();
    }
}
