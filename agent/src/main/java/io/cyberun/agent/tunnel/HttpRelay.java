package io.cyberun.agent.tunnel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.agent.AgentLog;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.TunnelProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;

/**
 * An {@code http} stream: the request the hub describes is made to the port with its body streamed from the hub's
 * frames as they arrive, and the answer streamed back (head, then the body in frames, then a normal close).
 */
final class HttpRelay implements WebSocket.Listener {
    private static final ObjectMapper JSON = CyberunJson.mapper();
    /** Hop-by-hop headers (RFC 9110), and those the JDK client sets itself. */
    static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
            "upgrade", "host", "content-length", "expect", "http2-settings");
    private static final byte[] EOF = new byte[0];

    private final HttpClient http;
    private final int port;
    private final Runnable used;
    private final StringBuilder text = new StringBuilder();
    /** Request body frames on their way to the port: a few at most, the next frame is asked for as one is taken. */
    private final BlockingQueue<byte[]> body = new ArrayBlockingQueue<>(4);
    private volatile boolean started;

    private HttpRelay(HttpClient http, int port, Runnable used) {
        this.http = http;
        this.port = port;
        this.used = used;
    }

    static void start(HttpClient http, URI uri, String key, int port, Runnable used) {
        Thread.ofVirtual().name("tunnel-http").start(() -> {
            try {
                StreamRelay.dial(http, uri, key, new HttpRelay(http, port, used));
            } catch (RuntimeException e) {
                AgentLog.warn("tunnel stream %s: could not dial the hub: %s", uri, e.getMessage());
            }
        });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (!last) {
            ws.request(1);
            return null;
        }
        String message = text.toString();
        text.setLength(0);
        try {
            if (!started) {
                started = true;
                forward(ws, JSON.readValue(message, TunnelProtocol.RequestHead.class));
            } else if (TunnelProtocol.END.equals(message)) {
                body.put(EOF);
            }
        } catch (Exception e) {
            ws.sendClose(StreamRelay.FAILED, "unreadable request head: " + e.getMessage());
            return null;
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        try {
            body.put(StreamRelay.bytes(data));
            used.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        body.offer(EOF);
        return null;
    }

    private void forward(WebSocket ws, TunnelProtocol.RequestHead head) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + head.path()))
                .timeout(Duration.ofHours(1));
        long length = -1;
        boolean chunked = false;
        for (Map.Entry<String, List<String>> h : head.headers().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("content-length")) {
                length = Long.parseLong(h.getValue().getFirst().strip());
            } else if (name.equals("transfer-encoding")) {
                chunked = true;
            } else if (!NOT_RELAYED.contains(name)) {
                h.getValue().forEach(v -> request.header(h.getKey(), v));
            }
        }
        HttpRequest.BodyPublisher publisher = length == 0 || (length < 0 && !chunked)
                ? HttpRequest.BodyPublishers.noBody()
                : length > 0 ? HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(this::bodyStream), length)
                : HttpRequest.BodyPublishers.ofInputStream(this::bodyStream);
        request.method(head.method(), publisher);
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream()).whenComplete((response, failure) ->
                Thread.ofVirtual().name("tunnel-http-answer").start(() -> answer(ws, response, failure)));
    }

    private void answer(WebSocket ws, HttpResponse<InputStream> response, Throwable failure) {
        try {
            if (failure != null) {
                String reason = "nothing answers on port " + port + " of the agent's machine: " + failure.getMessage();
                ws.sendText(JSON.writeValueAsString(new TunnelProtocol.ResponseHead(502, Map.of(), reason)), true).join();
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
                return;
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!lower.startsWith(":") && !NOT_RELAYED.contains(lower) || lower.equals("content-length")) {
                    headers.put(name, values);
                }
            });
            ws.sendText(JSON.writeValueAsString(new TunnelProtocol.ResponseHead(response.statusCode(), headers, null)), true).join();
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = response.body()) {
                int n;
                while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                    used.run();
                    ws.sendBinary(ByteBuffer.wrap(buffer, 0, n), true).join();
                }
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        } catch (Exception e) {
            if (!ws.isOutputClosed()) {
                ws.sendClose(StreamRelay.FAILED, "the answer of port " + port + " broke off: " + e.getMessage());
            }
        }
    }

    /** The request body as the port's client reads it: the hub's frames, in order, until the end frame. */
    private InputStream bodyStream() {
        return new InputStream() {
            private byte[] current = new byte[0];
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (at >= current.length) {
                    if (current == EOF) {
                        return -1;
                    }
                    try {
                        current = body.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                    at = 0;
                    if (current == EOF) {
                        return -1;
                    }
                }
                int n = Math.min(len, current.length - at);
                System.arraycopy(current, at, b, off, n);
                at += n;
                return n;
            }
        };
    }
}
