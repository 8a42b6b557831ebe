package io.cyberun.gateway.sse;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /tasks/{id}}: a small live page for one task (state, progress bar, live log, output previews with
 * download links). The page itself holds nothing secret; it reads the task with the stream token in its URL's
 * fragment (never sent to a server, dropped from the address bar once read), from
 * {@code POST /api/v1/r/tasks/{id}/stream-token}'s {@code page_url}.
 */
@ApplicationScoped
public class TaskPage {
    static final String CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            + "img-src * data: blob:; media-src *; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private final String html;

    public TaskPage() {
        try (InputStream in = TaskPage.class.getResourceAsStream("/task-page/task.html")) {
            if (in == null) {
                throw new IllegalStateException("task-page/task.html is missing from the gateway's resources");
            }
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void routes(@Observes Router router) {
        router.get("/tasks/:id").handler(this::serve);
    }

    void serve(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("Content-Security-Policy", CSP)
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(html);
    }
}
