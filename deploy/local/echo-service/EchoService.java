import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * A small HTTP service for the process runtime of container services: what the demo deploys and the tests call.
 * Run: {@code java EchoService.java <port>} (or PORT in the environment). Endpoints:
 * <ul>
 *   <li>{@code GET /health}: 200 ok;</li>
 *   <li>{@code ANY /echo}: the request as JSON (method, path, query, headers, body length and SHA-256, which replica);</li>
 *   <li>{@code GET /sse?n=5&ms=200}: n server-sent events, ms apart, each flushed as it is written;</li>
 *   <li>{@code GET /bytes?n=N}: N bytes, streamed;</li>
 *   <li>{@code GET /}: this list.</li>
 * </ul>
 */
public class EchoService {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args.length > 0 ? args[0] : System.getenv().getOrDefault("PORT", "8080"));
        String replica = System.getenv().getOrDefault("CYBERUN_REPLICA_ID", "local");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health", ex -> send(ex, 200, "text/plain", "ok\n"));
        server.createContext("/echo", ex -> echo(ex, replica));
        server.createContext("/sse", EchoService::events);
        server.createContext("/bytes", EchoService::bytes);
        server.createContext("/", ex -> send(ex, ex.getRequestURI().getPath().equals("/") ? 200 : 404, "text/plain",
                "echo-service (replica " + replica + "): GET /health, ANY /echo, GET /sse?n=5&ms=200, GET /bytes?n=N\n"));
        server.start();
        System.out.println("echo-service listening on 127.0.0.1:" + port + " as replica " + replica);
    }

    static void echo(HttpExchange ex, String replica) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IOException(e);
        }
        long length = 0;
        try (InputStream in = ex.getRequestBody()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                length += n;
            }
        }
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(", ", v)));
        StringBuilder json = new StringBuilder("{\"method\":").append(quote(ex.getRequestMethod()))
                .append(",\"path\":").append(quote(ex.getRequestURI().getPath()))
                .append(",\"query\":").append(quote(ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery()))
                .append(",\"replica\":").append(quote(replica))
                .append(",\"pid\":").append(ProcessHandle.current().pid())
                .append(",\"body_length\":").append(length)
                .append(",\"body_sha256\":").append(quote(HexFormat.of().formatHex(sha.digest())))
                .append(",\"headers\":{");
        String sep = "";
        for (Map.Entry<String, String> h : headers.entrySet()) {
            json.append(sep).append(quote(h.getKey())).append(':').append(quote(h.getValue()));
            sep = ",";
        }
        json.append("}}\n");
        ex.getResponseHeaders().add("X-Echo-Replica", replica);
        send(ex, 200, "application/json", json.toString());
    }

    static void events(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex);
        int n = Integer.parseInt(q.getOrDefault("n", "5"));
        long ms = Long.parseLong(q.getOrDefault("ms", "200"));
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 1; i <= n; i++) {
                out.write(("id: " + i + "\nevent: tick\ndata: {\"tick\":" + i + ",\"at\":" + System.currentTimeMillis() + "}\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (i < n) {
                    Thread.sleep(ms);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void bytes(HttpExchange ex) throws IOException {
        long n = Long.parseLong(query(ex).getOrDefault("n", "1048576"));
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, n);
        byte[] chunk = new byte[65536];
        try (OutputStream out = ex.getResponseBody()) {
            for (long left = n; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new TreeMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return out;
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }
}
