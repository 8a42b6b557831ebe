package io.cyberun.gateway.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.stream.TaskStreamEvent;
import io.cyberun.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/v1/r/tasks/events}: one SSE stream of every task of the caller's team, what a dashboard's task list
 * needs: each state change ({@code status}, {@code completed}, {@code failed}, {@code cancelled}) and {@code progress}
 * (log lines and previews stay on the task's own stream). Each event's {@code id} is the moment of the change in epoch
 * milliseconds and its data carries the task's event number {@code seq}.
 *
 * <p>A client that reconnects with {@code Last-Event-ID} first gets, as {@code task} events, the current state of every
 * task of its team that changed since {@value #RESUME_MARGIN_MS} ms before that id (task-service's {@code /changes}),
 * then the live events that came meanwhile, minus those the snapshots already cover. The margin absorbs commits and
 * deliveries that finish out of time order; a client keeps, per task, the highest {@code seq} it saw and ignores older
 * news. A first connection starts with a {@code ready} event whose id is the current time.
 */
@ApplicationScoped
public class TeamStreams {
    /** How far before a resuming client's last event id its replay starts. */
    static final long RESUME_MARGIN_MS = 60_000;
    static final int CHANGES_PAGE = 200;

    private final Map<UUID, Set<TeamSubscriber>> byTeam = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final TaskStreams tasks;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final ObjectMapper json;

    public TeamStreams(TaskStreams tasks, GatewayConfig config, Vertx vertx, ObjectMapper json, MeterRegistry metrics) {
        this.tasks = tasks;
        this.config = config;
        this.vertx = vertx;
        this.json = json;
        metrics.gauge("cyberun.gateway.sse.team.subscribers", open);
    }

    public void open(RoutingContext ctx, String principalToken, UUID team) {
        Long resumeFrom = lastEventId(ctx);
        TeamSubscriber sub = new TeamSubscriber(team, Vertx.currentContext(), ctx.response(), resumeFrom != null);
        byTeam.computeIfAbsent(team, k -> ConcurrentHashMap.newKeySet()).add(sub);
        open.incrementAndGet();
        ctx.response().closeHandler(v -> close(sub));
        ctx.response().endHandler(v -> close(sub));
        if (resumeFrom == null) {
            start(sub);
            sub.ready(System.currentTimeMillis());
            return;
        }
        replay(ctx, sub, principalToken, Math.max(0, resumeFrom - RESUME_MARGIN_MS));
    }

    /** Whether anyone here watches the team (or, for an event without a team header, anyone at all). */
    public boolean watches(UUID team) {
        return team == null ? !byTeam.isEmpty() : byTeam.containsKey(team);
    }

    /** A task event from Kafka: to the team's subscribers, log lines and previews excepted. */
    public void deliver(TaskEvent event, TaskStreamEvent streamEvent) {
        Set<TeamSubscriber> subs = byTeam.get(event.teamId());
        if (subs == null || streamEvent.event().equals(TaskStreamEvent.LOG) || streamEvent.event().equals(TaskStreamEvent.PREVIEW)) {
            return;
        }
        ObjectNode data = streamEvent.data().deepCopy();
        data.put("seq", event.seq());
        if (event instanceof TaskEvent.Submitted s) {
            // What a task list shows of a task it has not seen yet, so no dashboard has to fetch it.
            data.put("workflow_id", s.spec().workflowId().toString());
            data.put("workflow_slug", s.spec().workflowSlug());
            data.put("workflow_version", s.spec().workflowVersion());
            data.put("tool_type", s.spec().toolType());
            data.put("created_at", s.at().toString());
        }
        TeamSubscriber.Frame frame = new TeamSubscriber.Frame(event.taskId(), event.seq(), TaskStreamEvent.PROGRESS.equals(streamEvent.event()),
                "id: " + event.at().toEpochMilli() + "\nevent: " + streamEvent.event() + "\ndata: " + write(data) + "\n\n");
        for (TeamSubscriber sub : subs) {
            sub.context.runOnContext(v -> sub.offer(frame));
        }
    }

    public int subscriberCount() {
        return open.get();
    }

    private void replay(RoutingContext ctx, TeamSubscriber sub, String token, long since) {
        tasks.taskService(token, "/api/v1/r/tasks/changes?since=" + since + "&limit=" + CHANGES_PAGE)
                .onComplete(result -> sub.context.runOnContext(v -> {
                    if (sub.ended()) {
                        return;
                    }
                    if (result.failed() || result.result().status() != 200) {
                        if (!sub.started()) {
                            close(sub);
                            TaskStreams.answer(ctx, result);
                        } else {
                            // The client reconnects with the last id it got and the replay goes on from there.
                            sub.end();
                        }
                        return;
                    }
                    page(ctx, sub, token, result.result().body());
                }));
    }

    private void page(RoutingContext ctx, TeamSubscriber sub, String token, Buffer body) {
        JsonNode page;
        try {
            page = json.readTree(body.getBytes());
        } catch (Exception e) {
            sub.end();
            return;
        }
        start(sub);
        long last = -1;
        for (JsonNode change : page.path("changes")) {
            UUID task = UUID.fromString(change.path("task").path("id").asText());
            long seq = change.path("seq").asLong();
            last = change.path("changed_at_ms").asLong();
            ObjectNode data = json.createObjectNode();
            data.put("seq", seq);
            data.set("task", change.path("task"));
            sub.snapshot(task, seq, "id: " + last + "\nevent: task\ndata: " + write(data) + "\n\n");
        }
        if (page.path("more").asBoolean() && last >= 0) {
            // The next page from the last change's moment; a task seen twice carries the same or a higher seq.
            replay(ctx, sub, token, last - 1);
            return;
        }
        sub.replayDone(System.currentTimeMillis());
    }

    private void start(TeamSubscriber sub) {
        if (!sub.started()) {
            sub.start();
            sub.keepAliveTimer = vertx.setPeriodic(config.sseKeepAlive().toMillis(), id -> sub.context.runOnContext(v -> sub.keepAlive()));
        }
    }

    private String write(JsonNode data) {
        try {
            return json.writeValueAsString(data);
        } catch (Exception e) {
            return "{}";
        }
    }

    private void close(TeamSubscriber sub) {
        Set<TeamSubscriber> subs = byTeam.get(sub.team);
        if (subs != null && subs.remove(sub)) {
            open.decrementAndGet();
            if (subs.isEmpty()) {
                byTeam.remove(sub.team, subs);
            }
        }
        if (sub.keepAliveTimer >= 0) {
            vertx.cancelTimer(sub.keepAliveTimer);
            sub.keepAliveTimer = -1;
        }
        sub.end();
    }

    /** The resume point: {@code Last-Event-ID} (or {@code ?last_event_id=}, for clients that cannot set it), epoch ms. */
    private static Long lastEventId(RoutingContext ctx) {
        String header = TaskStreams.lastEventIdText(ctx);
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(header.strip()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
