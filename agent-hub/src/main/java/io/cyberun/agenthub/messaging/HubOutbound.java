package io.cyberun.agenthub.messaging;

import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.Topic;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskTransition;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * What the hub publishes: transition requests and progress for tasks, connection events for agents; typed messages that
 * the channels' {@link io.cyberun.common.messaging.EventSerializer} writes as CloudEvents.
 */
@ApplicationScoped
public class HubOutbound {
    private final MutinyEmitter<TaskTransition> transitions;
    private final MutinyEmitter<ProgressReport> progress;
    private final MutinyEmitter<AgentEvent> agentEvents;
    private final EventMessages messages;

    public HubOutbound(@Channel("task-transitions") MutinyEmitter<TaskTransition> transitions,
                       @Channel("task-progress") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096) MutinyEmitter<ProgressReport> progress,
                       @Channel("agent-events") MutinyEmitter<AgentEvent> agentEvents, EventMessages messages) {
        this.transitions = transitions;
        this.progress = progress;
        this.agentEvents = agentEvents;
        this.messages = messages;
    }

    public Uni<Void> transition(TaskTransition t) {
        return transitions.sendMessage(messages.message(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, t));
    }

    public Uni<Void> progress(ProgressReport r) {
        return progress.sendMessage(messages.message(Topic.TASK_PROGRESS, ProgressReport.FAMILY, r));
    }

    public Uni<Void> agentEvent(AgentEvent e) {
        return agentEvents.sendMessage(messages.message(Topic.AGENT_EVENTS, AgentEvent.FAMILY, e));
    }
}
