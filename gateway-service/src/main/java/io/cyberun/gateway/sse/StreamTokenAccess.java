package io.cyberun.gateway.sse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.routing.GatewayErrors;
import io.cyberun.gateway.service.StreamTokens;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The browser's way into one task's stream: {@code POST /api/v1/r/tasks/{id}/stream-token} (any caller who can read
 * the task) returns a short-lived token; {@code ?stream_token=} then stands in for the Authorization header on
 * {@code GET} of that task, its {@code /events}, its {@code /result} and its {@code /preview}, and nothing else.
 */
@ApplicationScoped
public class StreamTokenAccess {
    public static final Pattern ISSUE = Pattern.compile("^/api/v1/r/tasks/([^/]+)/stream-token$");
    static final Pattern READABLE = Pattern.compile("^/api/v1/r/tasks/([^/]+)(/events|/result|/preview)?$");
    public static final String PARAM = "stream_token";

    private final StreamTokens tokens;
    private final TaskStreams streams;
    private final ObjectMapper json;

    public StreamTokenAccess(StreamTokens tokens, TaskStreams streams, ObjectMapper json) {
        this.tokens = tokens;
        this.streams = streams;
        this.json = json;
    }

    /** Whether the request authenticates with a stream token instead of an Authorization header. */
    public static boolean uses(RoutingContext ctx) {
        return ctx.request().getParam(PARAM) != null && ctx.request().getHeader("Authorization") == null;
    }

    public Uni<Principal> authenticate(RoutingContext ctx) {
        Matcher m = READABLE.matcher(ctx.normalizedPath());
        UUID task = m.matches() ? uuid(m.group(1)) : null;
        if (ctx.request().method() != HttpMethod.GET || task == null) {
            return refuse("a stream token only reads the task it was issued for (GET the task, its /events, /result or /preview); "
                    + "send Authorization: Bearer <key or token> for anything else");
        }
        return tokens.principalFor(ctx.request().getParam(PARAM), task).flatMap(p -> p == null
                ? refuse("the stream token is invalid, expired or for another task; ask for a new one with POST /api/v1/r/tasks/"
                        + task + "/stream-token")
                : Uni.createFrom().item(p));
    }

    /** Issues a token for a task the caller can read (task-service decides: another team's task is a 404). */
    public void issue(RoutingContext ctx, String principalToken, Principal principal, String taskId) {
        UUID task = uuid(taskId);
        if (task == null) {
            GatewayErrors.send(ctx, new ApiException(ErrorCode.NOT_FOUND, "task not found"));
            return;
        }
        Context context = Vertx.currentContext();
        streams.taskService(principalToken, "/api/v1/r/tasks/" + task).onComplete(result -> context.runOnContext(v -> {
            if (result.failed() || result.result().status() != 200) {
                TaskStreams.answer(ctx, result);
                return;
            }
            tokens.issue(principal, task).subscribe().with(issued -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("stream_token", issued.streamToken());
                body.put("task_id", task.toString());
                body.put("expires_at", issued.expiresAt().toString());
                body.put("expires_in", issued.expiresIn());
                body.put("events_url", "/api/v1/r/tasks/" + task + "/events?stream_token=" + issued.streamToken());
                body.put("page_url", "/tasks/" + task + "#stream_token=" + issued.streamToken());
                try {
                    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                            .end(json.writeValueAsString(body));
                } catch (Exception e) {
                    GatewayErrors.send(ctx, e);
                }
            }, failure -> GatewayErrors.send(ctx, failure));
        }));
    }

    private static UUID uuid(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static <T> Uni<T> refuse(String message) {
        return Uni.createFrom().failure(new ApiException(ErrorCode.UNAUTHENTICATED, message));
    }
}
