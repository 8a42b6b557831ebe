package io.cyberun.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.json.CyberunJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Reads a Server-Sent Events stream in the background, event by event, until the server closes it. */
final class SseClient {
    record Event(long id, String name, JsonNode data) {
    }

    final List<Event> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final HttpClient http = HttpClient.newHttpClient();

    /** Stops reading (and drops the connection) after this many events. */
    private final int stopAfter;

    private SseClient(int stopAfter) {
        this.stopAfter = stopAfter;
    }

    static SseClient open(String url, String bearer, Long lastEventId) {
        return open(url, bearer, lastEventId, Integer.MAX_VALUE);
    }

    /** A client that hangs up after {@code stopAfter} events, as a dropped connection would. */
    static SseClient open(String url, String bearer, Long lastEventId, int stopAfter) {
        SseClient client = new SseClient(stopAfter);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").timeout(Duration.ofMinutes(3));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        client.http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
            if (response.statusCode() != 200) {
                client.done.complete(response.statusCode());
                return;
            }
            try (Stream<String> body = response.body()) {
                client.read(body);
            }
            client.done.complete(200);
        }).exceptionally(e -> {
            client.done.completeExceptionally(e);
            return null;
        });
        return client;
    }

    /** Hangs up now, as a closed browser tab would. */
    void close() {
        http.shutdownNow();
    }

    /** The events with that name, in order. */
    List<Event> named(String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    private void read(Stream<String> lines) {
        long id = -1;
        String name = null;
        StringBuilder data = new StringBuilder();
        for (String line : (Iterable<String>) lines::iterator) {
            if (line.isEmpty()) {
                if (name != null) {
                    try {
                        events.add(new Event(id, name, CyberunJson.mapper().readTree(data.toString())));
                    } catch (Exception e) {
                        throw new IllegalStateException("unreadable SSE data: " + data, e);
                    }
                    if (events.size() >= stopAfter) {
                        return;
                    }
                }
                id = -1;
                name = null;
                data.setLength(0);
            } else if (line.startsWith("id: ")) {
                id = Long.parseLong(line.substring(4).strip());
            } else if (line.startsWith("event: ")) {
                name = line.substring(7).strip();
            } else if (line.startsWith("data: ")) {
                data.append(line.substring(6));
            }
        }
    }
}
