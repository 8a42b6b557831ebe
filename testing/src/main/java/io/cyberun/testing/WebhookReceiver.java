package io.cyberun.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook endpoint for tests (the receiving side is the user's, not ours): records every request and answers
 * with the status codes scripted for the path, then 200.
 */
public final class WebhookReceiver implements AutoCloseable {
    public record Received(String path, Map<String, List<String>> headers, String body, long at) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    public final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, ConcurrentLinkedQueue<Integer>> scripts = new java.util.concurrent.ConcurrentHashMap<>();
    private final StubServer server;

    public WebhookReceiver() {
        server = StubServer.start(exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body, System.currentTimeMillis()));
            ConcurrentLinkedQueue<Integer> script = scripts.get(exchange.getRequestURI().getPath());
            Integer status = script == null ? null : script.poll();
            return new StubServer.Reply(status == null ? 200 : status, "{}");
        });
    }

    /** The next answers to requests for this path, in order (afterwards 200). */
    public WebhookReceiver answer(String path, Integer... statuses) {
        scripts.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
        return this;
    }

    public String url(String path) {
        return server.url() + path;
    }

    public List<Received> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.close();
    }
}
