package io.cyberun.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.StubServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for the internal services behind the gateway (our own services, not infrastructure): it echoes what
 * it received, with the principal it verified, so tests see exactly what the edge forwards; and it serves a task
 * event log for the SSE replay.
 */
public class UpstreamStub implements QuarkusTestResourceLifecycleManager {
    /** A task the stub's task-service does not know (another team's, say). */
    public static final String MISSING_TASK = "00000000-0000-0000-0000-000000000404";
    /** Tasks whose id starts so are running with an empty log. */
    public static final String LIVE_TASK_PREFIX = "11111111-";
    /**
     * Tasks whose id starts so have 501 events: the first page (500) is served, the next page fails once with 503, then
     * it is served (event 501, completed).
     */
    public static final String FLAKY_TASK_PREFIX = "22222222-";
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    private StubServer server;

    @Override
    public Map<String, String> start() {
        PrincipalTokens tokens = PrincipalTokens.verifying(CyberunTestContext.get().publicKey(), Clock.systemUTC());
        server = StubServer.start(exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/api/v1/r/tasks/" + MISSING_TASK)) {
                return new StubServer.Reply(404, "{\"error_message\":\"task not found\",\"error_code\":\"not_found\",\"details\":[]}");
            }
            if (path.matches("/api/v1/r/tasks/" + LIVE_TASK_PREFIX + "[^/]+/events")) {
                // A running task with no events yet: what follows comes live from Kafka.
                return new StubServer.Reply(200, "{\"task_id\":\"%s\",\"status\":\"running\",\"last_seq\":0,\"events\":[]}"
                        .formatted(path.split("/")[5]));
            }
            if (path.matches("/api/v1/r/tasks/" + FLAKY_TASK_PREFIX + "[^/]+/events")) {
                String task = path.split("/")[5];
                String query = exchange.getRequestURI().getQuery();
                if (query != null && query.contains("after=0")) {
                    StringBuilder events = new StringBuilder();
                    for (int id = 1; id <= 500; id++) {
                        events.append(id == 1 ? "" : ",").append("{\"id\":%d,\"event\":\"log\",\"data\":{\"task_id\":\"%s\",\"line\":\"line %d\"}}"
                                .formatted(id, task, id));
                    }
                    return new StubServer.Reply(200, "{\"task_id\":\"%s\",\"status\":\"completed\",\"last_seq\":501,\"events\":[%s]}"
                            .formatted(task, events));
                }
                if (failedOnce.add(task)) {
                    return new StubServer.Reply(503, "{\"error_message\":\"the database is unreachable for now\",\"error_code\":\"store_unavailable\",\"details\":[]}");
                }
                return new StubServer.Reply(200, """
                        {"task_id":"%1$s","status":"completed","last_seq":501,"events":[
                          {"id":501,"event":"completed","data":{"task_id":"%1$s","status":"completed","output":{"files":[]}}}]}"""
                        .formatted(task));
            }
            if (path.matches("/api/v1/r/tasks/[^/]+/events")) {
                return new StubServer.Reply(200, """
                        {"task_id":"%1$s","status":"completed","last_seq":2,"events":[
                          {"id":1,"event":"status","data":{"task_id":"%1$s","status":"pending"}},
                          {"id":2,"event":"completed","data":{"task_id":"%1$s","status":"completed","output":{"files":[]}}}]}"""
                        .formatted(path.split("/")[5]));
            }
            ObjectNode echo = CyberunJson.mapper().createObjectNode();
            echo.put("method", exchange.getRequestMethod());
            echo.put("path", path);
            echo.put("query", exchange.getRequestURI().getQuery());
            echo.put("authorization", exchange.getRequestHeaders().getFirst("Authorization"));
            echo.put("team_header", exchange.getRequestHeaders().getFirst("X-Team-ID"));
            echo.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            try {
                Principal p = tokens.verify(exchange.getRequestHeaders().getFirst(PrincipalTokens.HEADER));
                echo.set("principal", CyberunJson.mapper().valueToTree(p));
            } catch (RuntimeException e) {
                echo.put("principal_error", e.getMessage());
            }
            return new StubServer.Reply(200, echo.toString());
        });
        String url = server.url();
        return Map.of("cyberun.gateway.services.task-service", url, "cyberun.gateway.services.agent-hub", url,
                "cyberun.gateway.services.mcp-service", url, "cyberun.gateway.services.file-service", "http://127.0.0.1:1",
                "quarkus.rest-client.task-service.url", url);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
