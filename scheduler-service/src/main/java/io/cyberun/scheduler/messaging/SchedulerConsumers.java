package io.cyberun.scheduler.messaging;

import io.cyberun.common.messaging.EventMessages;
import io.cyberun.common.messaging.Redelivery;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.scheduler.service.Dispatcher;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** The scheduler reacts to task lifecycle events and to agents connecting, changing status and leaving. */
@ApplicationScoped
public class SchedulerConsumers {
    private final EventMessages messages;
    private final Dispatcher dispatcher;

    public SchedulerConsumers(EventMessages messages, Dispatcher dispatcher) {
        this.messages = messages;
        this.dispatcher = dispatcher;
    }

    @Incoming("task-events")
    public Uni<Void> onTaskEvent(String value) {
        TaskEvent event = messages.codec().decode(TaskEvent.FAMILY, value).data();
        return Redelivery.withRetries(dispatcher.onTaskEvent(event));
    }

    @Incoming("agent-events")
    public Uni<Void> onAgentEvent(String value) {
        AgentEvent event = messages.codec().decode(AgentEvent.FAMILY, value).data();
        return Redelivery.withRetries(dispatcher.onAgentEvent(event));
    }

    @Scheduled(every = "2s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> ackTimeouts() {
        return dispatcher.requeueUnacknowledged();
    }

    @Scheduled(every = "3s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> silentAgents() {
        return dispatcher.dropSilentAgents();
    }
}
