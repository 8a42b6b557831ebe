package io.cyberun.agent.tunnel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.agent.AgentLog;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.TunnelProtocol;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An {@code http} stream: the request the hub describes is made to the port with its body streamed from the hub's
 * frames as they arrive, and the answer streamed back (head, then the body in frames, then a normal close).
 */
final class HttpRelay implements WebSocket.Listener {
    private static final ObjectMapper JSON = CyberunJson.mapper();
    /** Hop-by-hop headers (RFC 9110), and those the JDK client sets itself. */
    static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
            "upgrade", "host", "content-length", "expect", "http2-settings");

    private final HttpClient http;
    /** Where each exchange goes, looked up again for every one (a reused stream outlives nothing it should not). */
    private final java.util.function.Supplier<StreamTarget> targets;
    private final boolean reusable;
    private final Runnable used;
    private final StringBuilder text = new StringBuilder();
    private volatile StreamTarget target;
    private volatile Body body = new Body();
    private volatile boolean started;

    private HttpRelay(HttpClient http, java.util.function.Supplier<StreamTarget> targets, boolean reusable, Runnable used) {
        this.http = http;
        this.targets = targets;
        this.reusable = reusable;
        this.used = used;
    }

    static void start(HttpClient http, URI uri, StreamTarget target, Runnable used) {
        start(http, uri, () -> target, false, used);
    }

    /** {@code reusable}: after a complete exchange, wait for the next request on the same stream (the target looked up again). */
    static void start(HttpClient http, URI uri, java.util.function.Supplier<StreamTarget> targets, boolean reusable, Runnable used) {
        Thread.ofVirtual().name("tunnel-http").start(() -> {
            try {
                StreamRelay.dial(http, uri, new HttpRelay(http, targets, reusable, used));
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
                Body next = new Body();
                next.ws = ws;
                body = next;
                target = targets.get();
                if (target == null) {
                    ws.sendText(JSON.writeValueAsString(new TunnelProtocol.ResponseHead(502, Map.of(),
                            "what this stream led to is gone from the agent; try again")), true).thenRun(() -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""));
                    return null;
                }
                forward(ws, JSON.readValue(message, TunnelProtocol.RequestHead.class));
                next.ask(); // the first body frame, or the end
            } else if (TunnelProtocol.END.equals(message)) {
                body.end();
            }
        } catch (Exception e) {
            ws.sendClose(StreamRelay.FAILED, "unreadable request head: " + e.getMessage());
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        used.run();
        body.frame(ByteBuffer.wrap(StreamRelay.bytes(data)));
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        body.end();
        return null;
    }

    private void forward(WebSocket ws, TunnelProtocol.RequestHead head) {
        Body body = this.body;
        StreamTarget target = this.target;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.base() + head.path()))
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
        if (target.authorization() != null) {
            request.setHeader("Authorization", target.authorization());
        }
        HttpRequest.BodyPublisher publisher = length == 0 || (length < 0 && !chunked)
                ? HttpRequest.BodyPublishers.noBody()
                : length > 0 ? HttpRequest.BodyPublishers.fromPublisher(body, length)
                : HttpRequest.BodyPublishers.fromPublisher(body);
        request.method(head.method(), publisher);
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream()).whenComplete((response, failure) ->
                Thread.ofVirtual().name("tunnel-http-answer").start(() -> answer(ws, response, failure)));
    }

    private void answer(WebSocket ws, HttpResponse<InputStream> response, Throwable failure) {
        StreamTarget target = this.target;
        Body body = this.body;
        try {
            if (failure != null) {
                String reason = "nothing answers on " + target.describe() + ": " + failure.getMessage();
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
            // Small answers take a small buffer; one that keeps filling it grows to the largest frame (fewer, larger frames:
            // each send waits for the previous one, so the frame size bounds a large download's rate).
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = response.body()) {
                int n;
                // What has arrived, as it arrives (readNBytes would hold a slow stream, e.g. server-sent events, until 64 KB).
                while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
                    if (n == 0) {
                        continue;
                    }
                    used.run();
                    ws.sendBinary(ByteBuffer.wrap(buffer, 0, n), true).join();
                    if (n == buffer.length && buffer.length < TunnelProtocol.MAX_FRAME_BYTES) {
                        buffer = new byte[TunnelProtocol.MAX_FRAME_BYTES];
                    }
                }
            }
            if (reusable && body.ended()) {
                // Complete both ways: the stream takes the next request (the demand for it was made at the request's end).
                started = false;
                ws.sendText(TunnelProtocol.END, true).join();
            } else {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            }
        } catch (Exception e) {
            if (!ws.isOutputClosed()) {
                ws.sendClose(StreamRelay.FAILED, "the answer of " + target.describe() + " broke off: " + e.getMessage());
            }
        }
    }

    /**
     * The request body as the port's client reads it: the hub's frames, each asked for only when the client wants more
     * and nothing is waiting, so at most one frame is held. Nothing blocks: the JDK client may ask for data on its
     * I/O thread, which blocking there would stall (the frames it waits for arrive on that thread too).
     */
    private static final class Body implements Flow.Publisher<ByteBuffer> {
        private final ArrayDeque<ByteBuffer> queued = new ArrayDeque<>();
        private volatile WebSocket ws;
        private Flow.Subscriber<? super ByteBuffer> subscriber;
        private long demand;
        private boolean asked;
        private boolean ended;
        private boolean done;

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
            synchronized (this) {
                subscriber = s;
            }
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    synchronized (Body.this) {
                        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    }
                    drain();
                }

                @Override
                public void cancel() {
                    synchronized (Body.this) {
                        done = true;
                    }
                }
            });
            drain();
        }

        /** Whether the request body has ended (the hub sent its end). */
        synchronized boolean ended() {
            return ended;
        }

        /** Asks the hub for the next frame (once the head is read, and whenever the client wants more). */
        synchronized void ask() {
            if (!asked && !ended && ws != null) {
                asked = true;
                ws.request(1);
            }
        }

        void frame(ByteBuffer b) {
            synchronized (this) {
                asked = false;
                queued.add(b);
            }
            drain();
        }

        void end() {
            WebSocket socket;
            synchronized (this) {
                asked = false;
                ended = true;
                socket = ws;
            }
            // Nothing but the hub's close comes after the end, and the JDK delivers a close only on demand: without this
            // the stream's connection stayed open after the answer, one per call, until the agent ran out of memory.
            if (socket != null) {
                socket.request(1);
            }
            drain();
        }

        private void drain() {
            while (true) {
                Flow.Subscriber<? super ByteBuffer> s;
                ByteBuffer next = null;
                boolean complete = false;
                synchronized (this) {
                    s = subscriber;
                    if (s == null || done) {
                        return;
                    }
                    if (demand > 0 && !queued.isEmpty()) {
                        demand--;
                        next = queued.poll();
                    } else if (queued.isEmpty() && ended) {
                        done = true;
                        complete = true;
                    } else {
                        if (demand > 0) {
                            ask();
                        }
                        return;
                    }
                }
                if (complete) {
                    s.onComplete();
                    return;
                }
                s.onNext(next);
            }
        }
    }
}
