package io.cyberun.gateway.sse;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.task.PreviewInfo;
import io.cyberun.gateway.routing.GatewayErrors;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/r/tasks/{id}/preview}: the task's latest preview image, as the hub that received it keeps it in
 * Redis for a few minutes (under the caller's team, so another team's task has none: 404 like any other resource).
 * {@code ?v=<preview_id>} (as the {@code preview} event's {@code url} carries) makes the answer cacheable.
 */
@ApplicationScoped
public class TaskPreviewImages {
    public static final Pattern PATH = Pattern.compile("^/api/v1/r/tasks/([^/]+)/preview$");

    private final ReactiveHashCommands<String, String, byte[]> hashes;
    private final String prefix;

    public TaskPreviewImages(ReactiveRedisDataSource redis, CyberunConfig config) {
        this.hashes = redis.hash(String.class, String.class, byte[].class);
        this.prefix = config.redis().keyPrefix();
    }

    public void serve(RoutingContext ctx, Principal principal, String taskId) {
        UUID task;
        try {
            task = UUID.fromString(taskId);
        } catch (IllegalArgumentException e) {
            task = null;
        }
        if (task == null || principal.teamId() == null) {
            GatewayErrors.send(ctx, new ApiException(ErrorCode.NOT_FOUND, "task not found"));
            return;
        }
        hashes.hgetall(PreviewInfo.key(prefix, principal.teamId(), task)).subscribe().with(fields -> answer(ctx, fields),
                failure -> GatewayErrors.send(ctx, new ApiException(ErrorCode.STORE_UNAVAILABLE,
                        "previews are unavailable for a moment (" + failure.getMessage() + "); try again")));
    }

    private static void answer(RoutingContext ctx, Map<String, byte[]> fields) {
        byte[] image = fields == null ? null : fields.get("image");
        if (image == null) {
            GatewayErrors.send(ctx, new ApiException(ErrorCode.NOT_FOUND, "this task has no preview (a running task's latest preview is kept "
                    + PreviewInfo.KEPT.toMinutes() + " minutes; not every workflow makes previews)"));
            return;
        }
        String id = text(fields.get("id"));
        String wanted = ctx.request().getParam("v");
        var response = ctx.response().putHeader("Content-Type", text(fields.get("content_type")))
                .putHeader("X-Preview-Id", id)
                .putHeader("X-Content-Type-Options", "nosniff");
        // With the id of the image it names, the URL always means this image; without it, the next request may get a newer one.
        response.putHeader("Cache-Control", id.equals(wanted) ? "private, max-age=600, immutable" : "no-store");
        String node = text(fields.get("node_id"));
        if (!node.isEmpty()) {
            response.putHeader("X-Preview-Node-Id", node);
        }
        response.end(Buffer.buffer(image));
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
