package io.cyberun.agenthub.messaging;

import io.cyberun.agenthub.service.AgentProtocolHandler;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.events.AgentCommand;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Every hub replica reads every command (each replica has its own consumer group) and delivers those for agents
 * it holds. A command for an agent nobody holds is dropped; the scheduler's acknowledgement timeout requeues
 * the task.
 */
@ApplicationScoped
public class AgentCommandConsumer {
    private final EventMessages messages;
    private final AgentProtocolHandler handler;

    public AgentCommandConsumer(EventMessages messages, AgentProtocolHandler handler) {
        this.messages = messages;
        this.handler = handler;
    }

    @Incoming("agent-commands")
    public Uni<Void> consume(String value) {
        AgentCommand command = messages.codec().decode(AgentCommand.FAMILY, value).data();
        return handler.command(command).onFailure().recoverWithNull().replaceWithVoid();
    }
}
