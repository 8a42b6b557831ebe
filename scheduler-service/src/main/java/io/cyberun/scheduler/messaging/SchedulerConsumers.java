package io.cyberun.scheduler.messaging;

import io.cyberun.common.messaging.Redelivery;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.scheduler.service.AckTimeouts;
import io.cyberun.scheduler.service.AgentReconciliation;
import io.cyberun.scheduler.service.BookRebuild;
import io.cyberun.scheduler.service.Placement;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The scheduler reacts to task lifecycle events and to agents connecting, changing status and leaving. Task events come
 * in typed batches ({@link SchedulingEventDeserializer} passes over progress and log events unread) and are applied one
 * task at a time in order, different tasks at once (their script calls share the Redis connection, pipelined); the
 * batch is acknowledged once everything it caused was sent.
 */
@ApplicationScoped
public class SchedulerConsumers {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SchedulerConsumers.class);
    /** Tasks of one batch handled at once: their script calls and sends overlap, within the Redis pool's size. */
    static final int CONCURRENT_TASKS = 32;

    private final Placement placement;
    private final AgentReconciliation agents;
    private final AckTimeouts ackTimeouts;
    private final BookRebuild rebuild;

    public SchedulerConsumers(Placement placement, AgentReconciliation agents, AckTimeouts ackTimeouts, BookRebuild rebuild) {
        this.rebuild = rebuild;
        this.placement = placement;
        this.agents = agents;
        this.ackTimeouts = ackTimeouts;
    }

    @Incoming("task-events")
    public Uni<Void> onTaskEvents(ConsumerRecords<String, TaskEvent> batch) {
        Map<String, List<TaskEvent>> byTask = new LinkedHashMap<>();
        for (ConsumerRecord<String, TaskEvent> r : batch) {
            // null: progress and log events, passed over unread, or an unreadable record sent to the dead-letter topic
            if (r.value() != null) {
                byTask.computeIfAbsent(r.value().taskId().toString(), k -> new ArrayList<>()).add(r.value());
            }
        }
        Uni<Void> all = Multi.createFrom().iterable(byTask.values())
                .onItem().transformToUni(events -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (TaskEvent e : events) {
                        chain = chain.call(() -> Redelivery.untilDone(placement.onTaskEvent(e), "scheduling after " + e.getClass().getSimpleName()));
                    }
                    return chain;
                })
                .merge(CONCURRENT_TASKS)
                .collect().last().replaceWithVoid();
        // Nothing is applied to a book that is being rebuilt (a failed rebuild is retried by its own check).
        return rebuild.ready().onFailure().recoverWithNull().call(() -> all).replaceWithVoid();
    }

    @Incoming("agent-events")
    public Uni<Void> onAgentEvent(AgentEvent event) {
        if (event == null) {
            return Uni.createFrom().voidItem(); // unreadable: already in the dead-letter topic
        }
        return rebuild.checked().onFailure().recoverWithNull()
                .call(() -> Redelivery.untilDone(agents.onAgentEvent(event), "handling " + event.getClass().getSimpleName()))
                .replaceWithVoid();
    }

    void onStart(@Observes StartupEvent start) {
        agents.refreshView().await().indefinitely();
    }

    @Scheduled(every = "2s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> refreshView() {
        return agents.refreshView().onFailure().invoke(e -> LOG.warnf(e, "refreshing the view of the agents failed"))
                .onFailure().recoverWithNull();
    }

    @Scheduled(every = "2s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> ackTimeouts() {
        return ackTimeouts.requeueUnacknowledged();
    }

    @Scheduled(every = "3s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> silentAgents() {
        return agents.dropSilentAgents();
    }
}
