package io.cyberun.gateway.sse;

import io.cyberun.gateway.dashboard.HtmlPage;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

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
    private final HtmlPage page = HtmlPage.load("/task-page/task.html", CSP, "no-store");

    void routes(@Observes Router router) {
        router.get("/tasks/:id").handler(page::send);
    }
}
