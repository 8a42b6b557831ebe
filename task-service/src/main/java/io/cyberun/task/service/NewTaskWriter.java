package io.cyberun.task.service;

import io.cyberun.task.repository.NewTasks;
import io.cyberun.task.repository.NewTasks.NewTaskWithEvent;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Writes new tasks with their first events, a group commit: while one insert is in flight, the runs that arrive wait
 * and go together in the next statement, so under load many runs share one round trip and one commit (PostgreSQL
 * spent about 0.7 ms per single-run insert at 430 runs/s, and about 0.1 ms per task in the batched statements). A run
 * that arrives when nothing is in flight is written at once, so a lone run waits for nobody.
 * <p>
 * A statement that PostgreSQL refuses for one of its rows would fail the others with it: then each run of that
 * statement is tried alone, so one bad run fails only itself. Each caller is answered on its own Vert.x context, as if
 * it had sent its own statement. {@code cyberun.task.submit.batch} counts the statements and the runs each carried.
 */
@ApplicationScoped
public class NewTaskWriter {
    private static final Logger LOG = Logger.getLogger(NewTaskWriter.class);
    /** At most this many runs in one statement (25 arrays of this length). */
    static final int MAX_BATCH = 256;

    private record Waiting(NewTaskWithEvent task, UniEmitter<? super Void> caller, Context context) {
    }

    private final Pool pool;
    private final NewTasks store;
    private final DistributionSummary batches;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Guarded by {@code this}: whether a statement is in flight. */
    private boolean writing;

    public NewTaskWriter(Pool pool, NewTasks store, MeterRegistry metrics) {
        this.pool = pool;
        this.store = store;
        this.batches = DistributionSummary.builder("cyberun.task.submit.batch").description("new tasks per insert statement")
                .register(metrics);
    }

    /** Completes once the task and its event are committed; fails as the insert failed. */
    public Uni<Void> write(NewTaskWithEvent task) {
        return Uni.createFrom().emitter(caller -> {
            List<Waiting> batch;
            synchronized (this) {
                waiting.add(new Waiting(task, caller, Vertx.currentContext()));
                if (writing) {
                    return;
                }
                writing = true;
                batch = take();
            }
            send(batch);
        });
    }

    private List<Waiting> take() {
        List<Waiting> batch = new ArrayList<>(Math.min(waiting.size(), MAX_BATCH));
        while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
            batch.add(waiting.poll());
        }
        return batch;
    }

    private void send(List<Waiting> batch) {
        batches.record(batch.size());
        // Deferred: a statement that cannot even be built fails its runs, and the next statement still goes out.
        Uni.createFrom().deferred(() -> store.insertWithEvents(pool, batch.stream().map(Waiting::task).toList())).subscribe().with(
                ok -> {
                    next();
                    batch.forEach(w -> answer(w, null));
                },
                failure -> {
                    next();
                    if (batch.size() > 1 && failure instanceof PgException) {
                        batch.forEach(this::alone);
                    } else {
                        batch.forEach(w -> answer(w, failure));
                    }
                });
    }

    /** Sends what waited meanwhile, or notes that nothing is in flight. */
    private void next() {
        List<Waiting> batch;
        synchronized (this) {
            if (waiting.isEmpty()) {
                writing = false;
                return;
            }
            batch = take();
        }
        send(batch);
    }

    private void alone(Waiting w) {
        Uni.createFrom().deferred(() -> store.insertWithEvents(pool, List.of(w.task())))
                .subscribe().with(ok -> answer(w, null), failure -> answer(w, failure));
    }

    private static void answer(Waiting w, Throwable failure) {
        Runnable reply = () -> {
            try {
                if (failure == null) {
                    w.caller().complete(null);
                } else {
                    w.caller().fail(failure);
                }
            } catch (RuntimeException e) {
                // What the caller does next is its own affair; the other runs of the statement are still answered.
                LOG.warnf(e, "answering a run's insert failed");
            }
        };
        if (w.context() == null || w.context() == Vertx.currentContext()) {
            reply.run();
        } else {
            w.context().runOnContext(v -> reply.run());
        }
    }
}
