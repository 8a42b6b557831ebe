package io.cyberun.task.service;

import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.task.domain.TaskCommand;
import io.cyberun.task.messaging.OutboxRelay;
import io.cyberun.task.model.TaskRow;
import io.cyberun.task.repository.ConsumerOffsets;
import io.cyberun.task.repository.TaskStore;
import io.cyberun.task.repository.WebhookQueue;
import io.cyberun.task.webhook.WebhookDispatcher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The only writer of task state after submission. A batch of changes (transition requests, progress and log reports
 * from Kafka; a user's cancel; a timeout) runs in one transaction: it locks the tasks it touches, has
 * {@link TaskDecisions} decide each change in order, writes each changed task once, appends one event per step to
 * the log and, for Kafka records, moves the consumer's stored offsets past them. After commit the outbox relay
 * publishes the events from memory.
 */
@ApplicationScoped
public class TaskChanges {
    private static final Logger LOG = Logger.getLogger(TaskChanges.class);

    private final Pool pool;
    private final TaskStore store;
    private final OutboxRelay relay;
    private final ConsumerOffsets offsets;
    private final WebhookQueue webhookQueue;
    private final TaskDecisions decisions;
    private final WebhookDispatcher webhookDispatcher;

    public TaskChanges(Pool pool, TaskStore store, OutboxRelay relay, ConsumerOffsets offsets, WebhookQueue webhookQueue,
                       TaskDecisions decisions, WebhookDispatcher webhookDispatcher) {
        this.pool = pool;
        this.store = store;
        this.relay = relay;
        this.offsets = offsets;
        this.webhookQueue = webhookQueue;
        this.decisions = decisions;
        this.webhookDispatcher = webhookDispatcher;
    }

    /** One change to one task. */
    public sealed interface Change {
        UUID taskId();

        /** The team the change claims the task is in; {@code null} for the platform's own changes (timeouts). */
        UUID teamId();
    }

    /** A transition request from the scheduler or agent-hub. */
    public record Transition(TaskTransition transition) implements Change {
        public UUID taskId() {
            return transition.taskId();
        }

        public UUID teamId() {
            return transition.teamId();
        }
    }

    /** Progress or log lines an agent reported. */
    public record Report(ProgressReport report) implements Change {
        public UUID taskId() {
            return report.taskId();
        }

        public UUID teamId() {
            return report.teamId();
        }
    }

    /** A command of task-service itself: a user's cancel, a timeout. */
    public record Command(UUID taskId, UUID teamId, TaskCommand command) implements Change {
    }

    /** A change read from a Kafka partition at an offset. */
    public record Inbound(String topic, int partition, long offset, Change change) {
    }

    /**
     * Applies what a consumer read, once: records at offsets the group already applied (a redelivery after a crash or
     * a rebalance) are skipped, and the new offsets are stored with the changes.
     */
    public Uni<Void> applyBatch(String group, List<Inbound> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, ConsumerOffsets.PartitionOffset> ends = new LinkedHashMap<>();
        for (Inbound r : records) {
            ends.merge(r.topic() + "/" + r.partition(), new ConsumerOffsets.PartitionOffset(r.topic(), r.partition(), r.offset() + 1),
                    (a, b) -> a.nextOffset() >= b.nextOffset() ? a : b);
        }
        TreeSet<UUID> ids = new TreeSet<>();
        records.forEach(r -> ids.add(r.change().taskId()));
        return Uni.createFrom().deferred(() -> {
            Applied applied = new Applied();
            // Statements that do not depend on each other are sent together on the connection (pipelined): claiming
            // the offsets with locking the batch's tasks, then all the writes; a batch costs four round trips.
            return pool.withTransaction(conn -> Uni.combine().all().unis(offsets.claim(conn, group, ends.values()), store.lock(conn, ids))
                    .asTuple().flatMap(claimed -> {
                        Map<String, Long> next = claimed.getItem1();
                        List<Change> fresh = new ArrayList<>(records.size());
                        for (Inbound r : records) {
                            if (r.offset() >= next.getOrDefault(r.topic() + "/" + r.partition(), 0L)) {
                                fresh.add(r.change());
                            }
                        }
                        TaskDecisions.Work work = decide(claimed.getItem2(), fresh, applied);
                        return write(conn, work, applied, offsets.store(conn, group, ends.values()));
                    }))
                    .invoke(applied::committed)
                    .onFailure().invoke(e -> applied.abandoned())
                    // Cancelled after its commit was sent, a batch's events wait for the sweep: late, never lost.
                    .onCancellation().invoke(applied::abandoned)
                    .replaceWithVoid();
        });
    }

    /**
     * Applies one change of task-service itself; answers the task as it is afterwards, or {@code null} when there is
     * no such task in the team.
     */
    public Uni<TaskRow> apply(Command change) {
        return Uni.createFrom().deferred(() -> {
            Applied applied = new Applied();
            return pool.withTransaction(conn -> store.lock(conn, List.of(change.taskId())).flatMap(rows -> {
                        TaskDecisions.Work work = decide(rows, List.of(change), applied);
                        return write(conn, work, applied, Uni.createFrom().voidItem()).replaceWith(rows);
                    }))
                    .invoke(applied::committed)
                    .onFailure().invoke(e -> applied.abandoned())
                    .onCancellation().invoke(applied::abandoned)
                    .map(rows -> {
                        TaskRow task = rows.get(change.taskId());
                        return task == null || (change.teamId() != null && !task.teamId.equals(change.teamId())) ? null : task;
                    });
        });
    }

    /** What one transaction produced, acted on once it has committed or rolled back. */
    private final class Applied {
        OutboxRelay.Batch outbox;
        int webhookDeliveries;

        void committed() {
            if (outbox != null) {
                outbox.committed();
            }
            if (webhookDeliveries > 0) {
                webhookDispatcher.nudge();
            }
        }

        void abandoned() {
            if (outbox != null) {
                outbox.abandoned();
            }
        }
    }

    /** Decides every change on the locked tasks, in order; the events take their place in the outbox queue. */
    private TaskDecisions.Work decide(Map<UUID, TaskRow> rows, List<Change> changes, Applied applied) {
        TaskDecisions.Work work = decisions.decide(rows, changes);
        // Reserved while the rows are locked: the next change of these tasks queues its events behind these.
        applied.outbox = work.events.isEmpty() ? null : relay.reserve(work.events);
        return work;
    }

    /** Writes the changed tasks, their events, webhook deliveries and {@code also}, sent together (pipelined). */
    private Uni<Void> write(SqlConnection conn, TaskDecisions.Work work, Applied applied, Uni<Void> also) {
        return Uni.join().all(store.update(conn, work.changed.values()), store.append(conn, work.events),
                        webhookQueue.enqueue(conn, work.webhooks).invoke(n -> applied.webhookDeliveries = n).replaceWithVoid(), also)
                .andFailFast().replaceWithVoid();
    }
}
