package io.cyberun.gateway.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.task.TaskStatus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The long-poll of a task's JSON event log ({@code GET /api/v1/r/tasks/<id>/events?after=N&wait=S}): answered from
 * task-service's log, and when that has nothing new, held until this replica hears the task's next event (it hears
 * every event) or the wait runs out.
 */
@ApplicationScoped
public class TaskLogPolls {
    private final Map<UUID, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final TaskStreams streams;
    private final Vertx vertx;
    private final ObjectMapper json;

    public TaskLogPolls(TaskStreams streams, Vertx vertx, ObjectMapper json) {
        this.streams = streams;
        this.vertx = vertx;
        this.json = json;
    }

    /** Whether a poll waits for this task's next event. */
    public boolean isWaiting(UUID task) {
        return waiters.containsKey(task);
    }

    /** The task had an event: its waiting polls read the log again. */
    public void signal(UUID task) {
        Set<Waiter> waiting = waiters.get(task);
        if (waiting != null) {
            waiting.forEach(Waiter::signal);
        }
    }

    /**
     * {@code ?after=N&wait=S}: the JSON event log after N; when it has nothing new and the task is not finished, the
     * answer waits up to S seconds for the task's next event (this replica hears every event), then reads the log
     * again. The waiter registers before the first read, so an event between the read and the wait is not missed.
     */
    public void poll(RoutingContext ctx, String token, UUID task, long after, int waitSeconds) {
        Context context = Vertx.currentContext();
        Waiter waiter = new Waiter();
        waiters.computeIfAbsent(task, k -> ConcurrentHashMap.newKeySet()).add(waiter);
        String path = "/api/v1/r/tasks/" + task + "/events?after=" + after + "&limit=" + TaskStreams.REPLAY_PAGE;
        Runnable finish = () -> {
            removeWaiter(task, waiter);
            streams.taskService(token, path).onComplete(result -> context.runOnContext(v -> TaskStreams.answer(ctx, result)));
        };
        streams.taskService(token, path).onComplete(result -> context.runOnContext(v -> {
            if (waitSeconds <= 0 || result.failed() || result.result().status() != 200 || !nothingNew(result.result().body())) {
                removeWaiter(task, waiter);
                TaskStreams.answer(ctx, result);
                return;
            }
            long timer = vertx.setTimer(TimeUnit.SECONDS.toMillis(waitSeconds), id -> context.runOnContext(x -> waiter.fire(finish)));
            waiter.arm(() -> {
                vertx.cancelTimer(timer);
                context.runOnContext(x -> finish.run());
            });
            ctx.response().closeHandler(x -> {
                vertx.cancelTimer(timer);
                removeWaiter(task, waiter);
            });
        }));
    }

    private boolean nothingNew(Buffer body) {
        try {
            JsonNode log = json.readTree(body.getBytes());
            TaskStatus status = TaskStatus.fromWire(log.path("status").asText());
            return log.path("events").isEmpty() && (status == null || !status.isTerminal());
        } catch (Exception e) {
            return false;
        }
    }

    private void removeWaiter(UUID task, Waiter waiter) {
        Set<Waiter> set = waiters.get(task);
        if (set != null && set.remove(waiter) && set.isEmpty()) {
            waiters.remove(task, set);
        }
    }

    /**
     * One long-poll waiting for its task's next event: whichever comes first of an event and the timeout finishes
     * it, once. An event before the wait began is remembered and finishes it as soon as it is armed.
     */
    static final class Waiter {
        private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile boolean signalled;
        private volatile Runnable onEvent;

        void arm(Runnable onEvent) {
            this.onEvent = onEvent;
            if (signalled) {
                fire(onEvent);
            }
        }

        void signal() {
            signalled = true;
            Runnable r = onEvent;
            if (r != null) {
                fire(r);
            }
        }

        void fire(Runnable r) {
            if (done.compareAndSet(false, true)) {
                r.run();
            }
        }
    }
}
