package io.cyberun.task.messaging;

import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.Topic;
import io.cyberun.task.config.OutboxConfig;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes the task event log to Kafka: rows of {@code task_event} not yet published, in position order, each
 * batch acknowledged by Kafka before its rows are stamped. Writers nudge it right after their commit; a sweep
 * every second catches anything a crash left behind, so a committed event is always published (at least once).
 * <p>
 * A transaction-scoped advisory lock lets one replica relay at a time: with two relays, one task's event 6 could
 * overtake its event 5.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    static final int BATCH = 256;
    /** Arbitrary, fixed: the advisory lock of the task event relay. */
    static final long RELAY_LOCK = 7_420_240_001L;
    private static final int LOCK_BUSY = -1;

    private final Pool pool;
    private final OutboxConfig config;
    private final MutinyEmitter<String> emitter;
    private final EventMessages messages;
    private final Vertx vertx;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong published = new AtomicLong();

    public OutboxRelay(Pool pool, OutboxConfig config,
                       @Channel("task-events") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 2048) MutinyEmitter<String> emitter,
                       EventMessages messages, Vertx vertx, MeterRegistry metrics) {
        this.pool = pool;
        this.config = config;
        this.emitter = emitter;
        this.messages = messages;
        this.vertx = vertx;
        metrics.gauge("cyberun.outbox.published", published);
    }

    /** Asks the relay to run now; cheap, and safe to call from any thread after a commit. */
    public void nudge() {
        if (config.paused()) {
            return;
        }
        again.set(true);
        if (running.compareAndSet(false, true)) {
            loop();
        }
    }

    @Scheduled(every = "1s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        nudge();
    }

    private void loop() {
        again.set(false);
        relayBatch().subscribe().with(count -> {
            if (count == LOCK_BUSY) {
                // Another replica is relaying; look again shortly in case it missed our rows.
                running.set(false);
                vertx.setTimer(100, id -> nudge());
            } else if (count == BATCH || again.get()) {
                loop();
            } else {
                running.set(false);
                if (again.get() && running.compareAndSet(false, true)) {
                    loop();
                }
            }
        }, failure -> {
            LOG.warnf("publishing task events failed, retrying within a second: %s", failure.getMessage());
            running.set(false);
        });
    }

    Uni<Integer> relayBatch() {
        return pool.withTransaction(conn -> conn.preparedQuery("select pg_try_advisory_xact_lock($1)").execute(Tuple.of(RELAY_LOCK))
                .flatMap(lock -> lock.iterator().next().getBoolean(0) ? publishPending(conn) : Uni.createFrom().item(LOCK_BUSY)));
    }

    private Uni<Integer> publishPending(SqlConnection conn) {
        return conn.preparedQuery("select position, task_id, envelope::text from task_event where published_at is null"
                        + " order by position limit $1")
                .execute(Tuple.of(BATCH))
                .flatMap(rows -> rows.size() == 0 ? Uni.createFrom().item(0) : publish(conn, rows));
    }

    private Uni<Integer> publish(SqlConnection conn, RowSet<Row> rows) {
        List<Long> positions = new ArrayList<>(rows.size());
        List<Uni<Void>> sends = new ArrayList<>(rows.size());
        for (Row row : rows) {
            positions.add(row.getLong(0));
            sends.add(emitter.sendMessage(messages.message(Topic.TASK_EVENTS, row.getString(2), row.getUUID(1).toString())));
        }
        // Joined in list order: the idempotent producer keeps one task's events in their order.
        return Uni.join().all(sends).andFailFast()
                .flatMap(acked -> conn.preparedQuery("update task_event set published_at = now() where position = any($1)")
                        .execute(Tuple.of(positions.toArray(new Long[0]))))
                .invoke(() -> published.addAndGet(positions.size()))
                .replaceWith(positions.size());
    }
}
