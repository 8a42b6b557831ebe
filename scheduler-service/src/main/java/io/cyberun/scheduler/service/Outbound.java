package io.cyberun.scheduler.service;

import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.Topic;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.TaskTransition;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * What the scheduler sends: transition requests to task-service, commands to the hub holding an agent; typed messages
 * that the channels' {@link io.cyberun.common.messaging.EventSerializer} writes as CloudEvents.
 */
@ApplicationScoped
public class Outbound {
    private final MutinyEmitter<TaskTransition> transitions;
    private final MutinyEmitter<AgentCommand> commands;
    private final EventMessages messages;

    public Outbound(@Channel("task-transitions") MutinyEmitter<TaskTransition> transitions,
                    @Channel("agent-commands") MutinyEmitter<AgentCommand> commands, EventMessages messages) {
        this.transitions = transitions;
        this.commands = commands;
        this.messages = messages;
    }

    /** Completes when Kafka acknowledged the request. */
    public Uni<Void> transition(TaskTransition transition) {
        return transitions.sendMessage(messages.message(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, transition));
    }

    public Uni<Void> command(AgentCommand command) {
        return commands.sendMessage(messages.message(Topic.AGENT_COMMANDS, AgentCommand.FAMILY, command));
    }
}
