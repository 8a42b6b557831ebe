package io.cyberun.agenthub.messaging;

import io.cyberun.agenthub.service.AgentProtocolHandler;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.InvalidEventException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Every hub replica reads every command (each replica has its own consumer group) and delivers those for agents
 * it holds, a polled batch at a time, in order. A command for an agent nobody holds is dropped; the scheduler's
 * acknowledgement timeout requeues the task. An unreadable command is logged and skipped: it cannot be for anyone.
 */
@ApplicationScoped
public class AgentCommandConsumer {
    private static final Logger LOG = Logger.getLogger(AgentCommandConsumer.class);

    private final EventMessages messages;
    private final AgentProtocolHandler handler;

    public AgentCommandConsumer(EventMessages messages, AgentProtocolHandler handler) {
        this.messages = messages;
        this.handler = handler;
    }

    @Incoming("agent-commands")
    public Uni<Void> consume(ConsumerRecords<String, String> batch) {
        return Multi.createFrom().iterable(batch)
                .onItem().transformToUniAndConcatenate(this::deliver)
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> deliver(ConsumerRecord<String, String> record) {
        AgentCommand command;
        try {
            command = messages.codec().read(AgentCommand.FAMILY, record.value());
        } catch (InvalidEventException e) {
            LOG.warnf("an unreadable command (partition %d, offset %d) was skipped: %s", record.partition(), record.offset(), e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return handler.command(command).onFailure().recoverWithNull().replaceWithVoid();
    }
}
