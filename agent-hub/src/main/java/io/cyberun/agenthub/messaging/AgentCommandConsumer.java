package io.cyberun.agenthub.messaging;

import io.cyberun.agenthub.service.CommandDelivery;
import io.cyberun.contracts.events.AgentCommand;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Every hub replica reads every command (each replica has its own consumer group) and delivers those for agents
 * it holds, a polled batch at a time, in order. A command for an agent nobody holds is dropped; the scheduler's
 * acknowledgement timeout requeues the task. An unreadable command was sent to the dead-letter topic by the channel's
 * failure handler and arrives as {@code null}: it cannot be for anyone.
 */
@ApplicationScoped
public class AgentCommandConsumer {
    private final CommandDelivery commands;

    public AgentCommandConsumer(CommandDelivery commands) {
        this.commands = commands;
    }

    @Incoming("agent-commands")
    public Uni<Void> consume(ConsumerRecords<String, AgentCommand> batch) {
        return Multi.createFrom().iterable(batch)
                .map(ConsumerRecord::value).filter(Objects::nonNull)
                .onItem().transformToUniAndConcatenate(command -> commands.deliver(command).onFailure().recoverWithNull().replaceWithVoid())
                .collect().last().replaceWithVoid();
    }
}
