package io.cyberun.scheduler.messaging;

import io.cyberun.common.messaging.DeadLetters;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.common.messaging.Redelivery;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.InvalidEventException;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The scheduler reacts to task lifecycle events and to agents connecting, changing status and leaving. Task events come
 * in batches: progress and log events (most of the topic) are passed over by their type header without being parsed;
 * the others are applied one task at a time in order, different tasks at once (their script calls share the Redis
 * connection, pipelined), and the batch is acknowledged once everything it caused was sent.
 */
@ApplicationScoped
public class SchedulerConsumers {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SchedulerConsumers.class);
    /** Tasks of one batch handled at once: their script calls and sends overlap, within the Redis pool's size. */
    static final int CONCURRENT_TASKS = 32;
    static final Set<String> IGNORED = Set.of(TaskEvent.FAMILY.typeOf(TaskEvent.Progressed.class), TaskEvent.FAMILY.typeOf(TaskEvent.Logged.class));

    private final EventMessages messages;
    private final Placement placement;
    private final AgentReconciliation agents;
    private final AckTimeouts ackTimeouts;
    private final DeadLetters deadLetters;
    private final BookRebuild rebuild;

    public SchedulerConsumers(EventMessages messages, Placement placement, AgentReconciliation agents, AckTimeouts ackTimeouts,
                              DeadLetters deadLetters, BookRebuild rebuild) {
        this.rebuild = rebuild;
        this.messages = messages;
        this.placement = placement;
        this.agents = agents;
        this.ackTimeouts = ackTimeouts;
        this.deadLetters = deadLetters;
    }

    @Incoming("task-events")
    public Uni<Void> onTaskEvents(ConsumerRecords<String, String> batch) {
        Map<String, List<TaskEvent>> byTask = new LinkedHashMap<>();
        List<DeadLetters.Unreadable> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, String> r : batch) {
            Header type = r.headers().lastHeader(EventMessages.TYPE_HEADER);
            if (type != null && IGNORED.contains(new String(type.value(), StandardCharsets.UTF_8))) {
                continue;
            }
            try {
                TaskEvent event = messages.codec().read(TaskEvent.FAMILY, r.value());
                if (!(event instanceof TaskEvent.Progressed) && !(event instanceof TaskEvent.Logged)) {
                    byTask.computeIfAbsent(event.taskId().toString(), k -> new ArrayList<>()).add(event);
                }
            } catch (InvalidEventException e) {
                unreadable.add(new DeadLetters.Unreadable(r, e));
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
        return rebuild.ready().onFailure().recoverWithNull().call(() -> deadLetters.send(unreadable)).call(() -> all).replaceWithVoid();
    }

    @Incoming("agent-events")
    public Uni<Void> onAgentEvent(ConsumerRecord<String, String> r) {
        AgentEvent event;
        try {
            event = messages.codec().read(AgentEvent.FAMILY, r.value());
        } catch (InvalidEventException e) {
            return deadLetters.send(List.of(new DeadLetters.Unreadable(r, e)));
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
