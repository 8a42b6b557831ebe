package io.cyberun.gateway.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.stream.TaskStreamEvent;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.gateway.config.GatewayConfig;
import io.cyberun.gateway.routing.RouteTable;
import io.cyberun.gateway.routing.ServiceProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * {@code GET /api/v1/r/tasks/{id}/events} as Server-Sent Events. A new subscriber first registers for live
 * events, then replays the task's log from task-service after its {@code Last-Event-ID}, then continues live,
 * so nothing falls between replay and live. Every gateway replica receives every task event and serves its own
 * subscribers. The stream ends after the terminal event. When a replay page fails after the stream started, the
 * client gets an {@code error} event and the stream goes on: the page is asked again after 1, 2, 4, 8 and 8 s (live
 * events wait meanwhile, in order); only after {@value #REPLAY_ATTEMPTS} failures in a row does the stream end.
 */
@ApplicationScoped
public class TaskStreams {
    private static final Logger LOG = Logger.getLogger(TaskStreams.class);
    static final int REPLAY_PAGE = 500;
    static final int REPLAY_ATTEMPTS = 6;
    private static final String UNAVAILABLE = "{\"error_message\":\"task-service is not reachable right now; try again shortly\",\"error_code\":\"upstream_unavailable\"}";

    private final Map<UUID, Set<TaskSubscriber>> subscribers = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ServiceProxy proxy;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final ObjectMapper json;

    public TaskStreams(ServiceProxy proxy, GatewayConfig config, Vertx vertx, ObjectMapper json, MeterRegistry metrics) {
        this.proxy = proxy;
        this.config = config;
        this.vertx = vertx;
        this.json = json;
        metrics.gauge("cyberun.gateway.sse.subscribers", open);
    }

    public void open(RoutingContext ctx, String principalToken, UUID task) {
        TaskSubscriber sub = new TaskSubscriber(task, Vertx.currentContext(), ctx.response(), lastEventId(ctx));
        subscribers.computeIfAbsent(task, k -> ConcurrentHashMap.newKeySet()).add(sub);
        open.incrementAndGet();
        ctx.response().closeHandler(v -> close(sub));
        ctx.response().endHandler(v -> close(sub));
        replay(ctx, sub, principalToken, sub.lastSent());
    }

    /** A task event from Kafka: handed to that task's subscribers on their own contexts. */
    public void deliver(UUID task, TaskStreamEvent event) {
        Set<TaskSubscriber> subs = subscribers.get(task);
        if (subs != null) {
            SseFrame frame = SseFrame.of(event, json);
            for (TaskSubscriber sub : subs) {
                sub.context.runOnContext(v -> sub.offer(frame));
            }
        }
    }

    public boolean hasSubscribers(UUID task) {
        return subscribers.containsKey(task);
    }

    public int subscriberCount() {
        return open.get();
    }

    private void replay(RoutingContext ctx, TaskSubscriber sub, String token, long after) {
        taskService(token, "/api/v1/r/tasks/" + sub.taskId + "/events?after=" + after + "&limit=" + REPLAY_PAGE)
                .onComplete(result -> sub.context.runOnContext(v -> {
                    if (result.failed()) {
                        fail(ctx, sub, token, 503, UNAVAILABLE);
                        return;
                    }
                    Reply reply = result.result();
                    if (reply.status() != 200) {
                        fail(ctx, sub, token, reply.status(), reply.body().toString());
                        return;
                    }
                    page(ctx, sub, token, reply.body());
                }));
    }

    /** A GET to task-service as the caller (its principal token), answered with status and body. */
    public Future<Reply> taskService(String token, String pathAndQuery) {
        String uri = proxy.service(RouteTable.TASK_SERVICE).toString().replaceAll("/$", "") + pathAndQuery;
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri)
                .putHeader(PrincipalTokens.HEADER, token).putHeader("Accept", "application/json")
                .setIdleTimeout(config.upstreamTimeout().toMillis());
        return proxy.client().request(options)
                .compose(request -> request.send().compose(response -> response.body().map(body -> new Reply(response.statusCode(), body))));
    }

    /** Passes task-service's answer on (503 when it could not be reached). */
    static void answer(RoutingContext ctx, io.vertx.core.AsyncResult<Reply> result) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (result.failed()) {
            ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json").end(UNAVAILABLE);
            return;
        }
        ctx.response().setStatusCode(result.result().status()).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(result.result().body());
    }

    private void page(RoutingContext ctx, TaskSubscriber sub, String token, Buffer body) {
        JsonNode log;
        try {
            log = json.readTree(body.getBytes());
        } catch (Exception e) {
            fail(ctx, sub, token, 502, "{\"error_message\":\"task-service answered with an unreadable event log\",\"error_code\":\"internal\"}");
            return;
        }
        sub.replayFailures = 0;
        if (!sub.started()) {
            sub.start();
            sub.keepAliveTimer = vertx.setPeriodic(config.sseKeepAlive().toMillis(), id -> sub.context.runOnContext(v -> sub.keepAlive()));
        }
        JsonNode events = log.path("events");
        for (JsonNode e : events) {
            sub.send(SseFrame.of(new TaskStreamEvent(e.path("id").asLong(), e.path("event").asText(), e.path("data")), json));
        }
        if (sub.ended()) {
            return;
        }
        if (events.size() >= REPLAY_PAGE) {
            replay(ctx, sub, token, sub.lastSent());
            return;
        }
        TaskStatus status = TaskStatus.fromWire(log.path("status").asText());
        sub.replayDone(status != null && status.isTerminal() && sub.lastSent() >= log.path("last_seq").asLong());
    }

    private void fail(RoutingContext ctx, TaskSubscriber sub, String token, int status, String body) {
        if (!sub.started()) {
            close(sub);
            if (!ctx.response().ended()) {
                ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
            }
            return;
        }
        if (sub.ended()) {
            return;
        }
        sub.replayFailures++;
        if (sub.replayFailures >= REPLAY_ATTEMPTS) {
            LOG.debugf("event stream of task %s ends: replay failed %d times, last with %d", sub.taskId, sub.replayFailures, status);
            ctx.response().write(errorEvent(sub, "reading the task's events failed " + sub.replayFailures + " times; reconnect to resume"));
            sub.end();
            return;
        }
        long delay = 1000L << Math.min(sub.replayFailures - 1, 3);
        ctx.response().write(errorEvent(sub, "reading the task's events failed (HTTP " + status + "); the stream goes on and asks again in "
                + delay / 1000 + " s"));
        vertx.setTimer(delay, id -> sub.context.runOnContext(v -> {
            if (!sub.ended() && !ctx.response().closed()) {
                replay(ctx, sub, token, sub.lastSent());
            }
        }));
    }

    /** An {@code error} event (the notes: a server-side error reading the task's state; the stream may continue). */
    private static String errorEvent(TaskSubscriber sub, String message) {
        return "event: error\ndata: {\"task_id\":\"" + sub.taskId + "\",\"error_message\":\"" + message + "\"}\n\n";
    }

    private void close(TaskSubscriber sub) {
        Set<TaskSubscriber> subs = subscribers.get(sub.taskId);
        if (subs != null && subs.remove(sub)) {
            open.decrementAndGet();
            if (subs.isEmpty()) {
                subscribers.remove(sub.taskId, subs);
            }
        }
        if (sub.keepAliveTimer >= 0) {
            vertx.cancelTimer(sub.keepAliveTimer);
            sub.keepAliveTimer = -1;
        }
        sub.end();
    }

    /** The raw resume point: {@code Last-Event-ID}, or {@code ?last_event_id=} for clients that cannot set headers. */
    static String lastEventIdText(RoutingContext ctx) {
        String header = ctx.request().getHeader("Last-Event-ID");
        return header != null ? header : ctx.request().getParam("last_event_id");
    }

    private static long lastEventId(RoutingContext ctx) {
        String header = lastEventIdText(ctx);
        try {
            return header == null ? 0 : Math.max(0, Long.parseLong(header.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public record Reply(int status, Buffer body) {
    }
}
