package io.cyberun.scheduler.service;

import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.scheduler.domain.AgentSlots;
import io.cyberun.scheduler.domain.Eligibility;
import io.cyberun.scheduler.registry.AgentRegistry;
import io.cyberun.scheduler.registry.AgentView;
import io.cyberun.scheduler.registry.TaskBook;
import io.cyberun.scheduler.registry.TaskBook.Placed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * Sends what a placement decided, without waiting for task-service: the dispatch to the agent's hub and, beside it,
 * the assignment record from which task-service records {@code queued} (it accepts the agent's acknowledgement even
 * if the record comes later). When the agent lacks models the task needs, it is told to sync them first and the task
 * is recorded {@code provisioning} instead.
 */
@ApplicationScoped
public class Dispatches {
    private final Outbound out;
    private final AgentView view;
    private final AgentRegistry agents;
    private final TaskBook book;
    private final Counter dispatches;

    public Dispatches(Outbound out, AgentView view, AgentRegistry agents, TaskBook book, MeterRegistry metrics) {
        this.out = out;
        this.view = view;
        this.agents = agents;
        this.book = book;
        this.dispatches = metrics.counter("cyberun.scheduler.dispatches");
    }

    /** Sends each placement; {@code repeated}: the decision was made before (a redelivered event), send it again. */
    public Uni<Void> send(UUID team, List<Placed> placed, boolean repeated) {
        if (placed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (placed.size() == 1) {
            return send(team, placed.get(0), repeated);
        }
        return Uni.join().all(placed.stream().map(p -> send(team, p, repeated)).toList()).andFailFast().replaceWithVoid();
    }

    private Uni<Void> send(UUID team, Placed p, boolean repeated) {
        AgentSlots known = view.agent(team, p.agentId());
        Uni<AgentSlots> agent = known != null ? Uni.createFrom().item(known) : agents.agent(team, p.agentId());
        if (!repeated) {
            view.load(team, p.agentId(), 1);
        }
        return agent.flatMap(a -> {
            boolean provision = a != null && !a.hasModels(p.spec().requiredModels());
            TaskTransition.Assign assign = new TaskTransition.Assign(p.taskId(), team, p.agentId(), a == null ? null : a.hubId(),
                    a == null ? List.of() : List.copyOf(a.labels()), a == null ? null : a.gpuType(), provision, p.attempt(),
                    repeated ? null : Eligibility.preferredGpuNote(a, p.spec().preferredGpu()));
            if (provision) {
                return book.provisioning(team, p.taskId())
                        .call(() -> Uni.join().all(out.transition(assign),
                                out.command(new AgentCommand.SyncModels(team, p.agentId(), p.taskId(), p.attempt(), p.spec().requiredModels())))
                                .andFailFast());
            }
            dispatches.increment();
            return Uni.join().all(out.transition(assign),
                    out.command(new AgentCommand.Dispatch(team, p.agentId(), p.taskId(), p.attempt(), p.spec()))).andFailFast().replaceWithVoid();
        });
    }

    /** A provisioned task goes to its agent now: the assignment that makes it queued, and the dispatch. */
    public Uni<Void> dispatchProvisioned(UUID team, UUID task, AgentSlots agent, int attempt, io.cyberun.contracts.task.TaskSpec spec) {
        dispatches.increment();
        TaskTransition.Assign assign = new TaskTransition.Assign(task, team, agent.agentId(), agent.hubId(), List.copyOf(agent.labels()),
                agent.gpuType(), false, attempt);
        return Uni.join().all(out.transition(assign), out.command(new AgentCommand.Dispatch(team, agent.agentId(), task, attempt, spec)))
                .andFailFast().replaceWithVoid();
    }
}
