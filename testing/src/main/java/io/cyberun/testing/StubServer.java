package io.cyberun.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A small HTTP server on a free loopback port for standing in for one of our own services in a test (never for
 * infrastructure: Kafka, PostgreSQL, Redis, S3 and OIDC are always real). Every request gets a JSON answer.
 */
public final class StubServer implements AutoCloseable {
    /** A JSON answer. */
    public record Reply(int status, String json) {
    }

    /** Answers one request. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(HttpExchange exchange) throws Exception;
    }

    private final HttpServer server;

    private StubServer(HttpServer server) {
        this.server = server;
    }

    public static StubServer start(Handler handler) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a stub server", e);
        }
        server.createContext("/", exchange -> {
            Reply reply;
            try {
                reply = handler.handle(exchange);
            } catch (Exception e) {
                reply = new Reply(500, "{\"error_message\":\"stub failed: " + e.getMessage() + "\"}");
            }
            byte[] bytes = reply.json().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Upstream", "stub");
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return new StubServer(server);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
