package io.cyberun.task.messaging;

import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.Topic;
import io.cyberun.task.config.OutboxConfig;
import io.cyberun.task.repository.TaskStore.EventRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes the task event log to Kafka. A writer reserves its events' place in this process's queue while it holds
 * the rows of their tasks locked ({@link #reserve}), marks them committed or abandoned when its transaction ends,
 * and the relay sends committed events from the head of the queue, from memory, right after the commit: no
 * transaction waits for Kafka and nothing is read back. Because a task's next change can only lock its row after the
 * previous change committed, its events enter the queue, and reach Kafka, in sequence order.
 * <p>
 * Each event is written with a row in {@code task_event_outbox}; the rows of sent events are deleted by their event ids
 * in one statement per tick (a delete from a small table that never reads the event log). A sweep publishes the events whose
 * outbox rows are older than {@link #SWEEP_AGE_SECONDS} seconds: those of a process that died between its commit and
 * its send, or whose sends failed. The sweep may repeat an event that was sent but not yet deleted: consumers skip a task event
 * whose sequence number they have seen. A transaction-scoped advisory lock lets one replica sweep at a time, and
 * the sweep sends in log order, so a task's events never overtake each other.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    static final int SEND_BATCH = 512;
    static final int SWEEP_BATCH = 256;
    static final int SWEEP_AGE_SECONDS = 5;
    /** Arbitrary, fixed: the advisory lock of the sweep. */
    static final long SWEEP_LOCK = 7_420_240_001L;

    private final Pool pool;
    private final OutboxConfig config;
    private final MutinyEmitter<String> emitter;
    private final EventMessages messages;
    private final Vertx vertx;
    private final ArrayDeque<Batch> queue = new ArrayDeque<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final List<UUID> sentIds = new ArrayList<>();
    private final AtomicBoolean clearing = new AtomicBoolean();
    private final AtomicLong published = new AtomicLong();
    private volatile boolean stopping;

    public OutboxRelay(Pool pool, OutboxConfig config,
                       @Channel("task-events") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384) MutinyEmitter<String> emitter,
                       EventMessages messages, Vertx vertx, MeterRegistry metrics) {
        this.pool = pool;
        this.config = config;
        this.emitter = emitter;
        this.messages = messages;
        this.vertx = vertx;
        metrics.gauge("cyberun.outbox.published", published);
        metrics.gauge("cyberun.outbox.queued", queue, q -> {
            synchronized (q) {
                return q.size();
            }
        });
    }

    /** One transaction's events, in the order they were written. */
    public final class Batch {
        private final List<EventRow> events;
        private volatile int state; // 0 pending, 1 committed, 2 abandoned

        private Batch(List<EventRow> events) {
            this.events = events;
        }

        /** The transaction committed: the events may go. */
        public void committed() {
            state = 1;
            drain();
        }

        /** The transaction rolled back: the events never happened. */
        public void abandoned() {
            state = 2;
            drain();
        }
    }

    /** Takes the events' place in the queue; call while holding the locks of their tasks' rows. */
    public Batch reserve(List<EventRow> events) {
        Batch batch = new Batch(events);
        synchronized (queue) {
            queue.addLast(batch);
        }
        return batch;
    }

    /** Sends what is committed at the head of the queue; one sender at a time keeps the order. */
    private void drain() {
        if (config.paused() || stopping || !sending.compareAndSet(false, true)) {
            return;
        }
        List<Batch> taken = new ArrayList<>();
        List<EventRow> events = new ArrayList<>();
        synchronized (queue) {
            Iterator<Batch> it = queue.iterator();
            while (it.hasNext() && events.size() < SEND_BATCH) {
                Batch b = it.next();
                if (b.state == 0) {
                    break;
                }
                if (b.state == 1) {
                    taken.add(b);
                    events.addAll(b.events);
                }
                it.remove();
            }
        }
        if (events.isEmpty()) {
            sending.set(false);
            if (headReady()) {
                drain();
            }
            return;
        }
        List<Uni<Void>> sends = new ArrayList<>(events.size());
        for (EventRow e : events) {
            sends.add(emitter.sendMessage(messages.message(Topic.TASK_EVENTS, e.envelope(), e.taskId().toString(), e.type(), e.teamId())));
        }
        // Joined in order: the idempotent producer keeps one task's events in the order they were sent.
        Uni.join().all(sends).andCollectFailures().subscribe().with(acked -> {
            published.addAndGet(events.size());
            synchronized (sentIds) {
                events.forEach(e -> sentIds.add(e.id()));
            }
            sending.set(false);
            drain();
        }, failure -> {
            LOG.warnf("publishing %d task events failed, retrying in a second: %s", events.size(), failure.getMessage());
            synchronized (queue) {
                for (int i = taken.size() - 1; i >= 0; i--) {
                    queue.addFirst(taken.get(i));
                }
            }
            sending.set(false);
            vertx.setTimer(1000, id -> drain());
        });
    }

    private boolean headReady() {
        synchronized (queue) {
            Batch head = queue.peekFirst();
            return head != null && head.state != 0;
        }
    }

    /**
     * Takes what was sent since the last tick out of the outbox, in one statement. Not before the application runs: the
     * scheduler starts before the messaging channels, and the first tick would create this bean without its emitter.
     */
    @Scheduled(every = "0.2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> clearSent() {
        List<UUID> ids;
        synchronized (sentIds) {
            if (sentIds.isEmpty() || !clearing.compareAndSet(false, true)) {
                return Uni.createFrom().voidItem();
            }
            ids = new ArrayList<>(sentIds);
            sentIds.clear();
        }
        return pool.preparedQuery("delete from task_event_outbox where event_id = any($1)")
                .execute(Tuple.of(ids.toArray(new UUID[0])))
                .onFailure().invoke(e -> {
                    // Still in the outbox: the sweep sends them again after a while, which consumers tolerate.
                    LOG.debugf("taking %d published events out of the outbox failed: %s", ids.size(), e.getMessage());
                })
                .onFailure().recoverWithNull()
                .eventually(() -> clearing.set(false))
                .replaceWithVoid();
    }

    @Scheduled(every = "1s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        if (config.paused() || stopping) {
            return Uni.createFrom().voidItem();
        }
        drain();
        return pool.withTransaction(conn -> conn.preparedQuery("select pg_try_advisory_xact_lock($1)").execute(Tuple.of(SWEEP_LOCK))
                        .flatMap(lock -> lock.iterator().next().getBoolean(0) ? sweepOnce(conn) : Uni.createFrom().item(0)))
                .onFailure().invoke(e -> LOG.warnf("the outbox sweep failed, retrying within a second: %s", e.getMessage()))
                .onFailure().recoverWithItem(0)
                .replaceWithVoid();
    }

    private Uni<Integer> sweepOnce(SqlConnection conn) {
        return conn.preparedQuery("select e.position, e.task_id, e.envelope::text, e.type, e.team_id from task_event_outbox o"
                        + " join task_event e on e.position = o.position"
                        + " where o.created_at < now() - make_interval(secs => $1) order by o.position limit $2")
                .execute(Tuple.of(SWEEP_AGE_SECONDS, SWEEP_BATCH))
                .flatMap(rows -> rows.size() == 0 ? Uni.createFrom().item(0) : resend(conn, rows));
    }

    private Uni<Integer> resend(SqlConnection conn, RowSet<Row> rows) {
        List<Long> positions = new ArrayList<>(rows.size());
        List<Uni<Void>> sends = new ArrayList<>(rows.size());
        for (Row row : rows) {
            positions.add(row.getLong(0));
            sends.add(emitter.sendMessage(messages.message(Topic.TASK_EVENTS, row.getString(2), row.getUUID(1).toString(), row.getString(3), row.getUUID(4))));
        }
        LOG.infof("the outbox sweep publishes %d task events that were committed but not published", positions.size());
        return Uni.join().all(sends).andFailFast()
                .flatMap(acked -> conn.preparedQuery("delete from task_event_outbox where position = any($1)")
                        .execute(Tuple.of(positions.toArray(new Long[0]))))
                .invoke(() -> published.addAndGet(positions.size()))
                .replaceWith(positions.size());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }
}
