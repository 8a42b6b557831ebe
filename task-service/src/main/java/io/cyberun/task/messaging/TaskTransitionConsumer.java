package io.cyberun.task.messaging;

import io.cyberun.common.messaging.EventMessages;
import io.cyberun.common.messaging.Redelivery;
import io.cyberun.contracts.events.EventCodec;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.task.service.ProcessedMessages;
import io.cyberun.task.service.TaskService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies transition requests from the scheduler and agent-hub. A request is applied at most once (its event id
 * is remembered) and only when the state machine allows it; an unreadable message goes to the dead-letter topic.
 */
@ApplicationScoped
public class TaskTransitionConsumer {
    private final EventMessages messages;
    private final TaskService tasks;

    public TaskTransitionConsumer(EventMessages messages, TaskService tasks) {
        this.messages = messages;
        this.tasks = tasks;
    }

    @Incoming("task-transitions")
    public Uni<Void> consume(String value) {
        EventCodec.Decoded<TaskTransition> decoded = messages.codec().decode(TaskTransition.FAMILY, value);
        UUID eventId = ProcessedMessages.idOf(decoded.envelope());
        return Redelivery.withRetries(tasks.apply(eventId, decoded.data()));
    }
}
