package io.cyberun.agent.tunnel;

import io.cyberun.agent.AgentLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Dialling the hub for one stream, and the closing codes a stream ends with. */
final class StreamRelay {
    /** The stream failed midway (the port refused or dropped the connection); the reason says why. */
    static final int FAILED = 1011;

    private StreamRelay() {
    }

    static WebSocket dial(HttpClient http, URI uri, WebSocket.Listener listener) {
        // No credential: the stream id, single-use and handed over the authenticated connection, is the proof. (Sending the
        // ak- key had the hub look it up at the gateway on every stream, that is on every call of a container service.)
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, listener).join();
    }

    /** Dials only to close the stream at once with the reason, so the hub answers its client without waiting. */
    static void refuse(HttpClient http, URI uri, String reason) {
        try {
            dial(http, uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                    return null;
                }
            }).sendClose(FAILED, reason);
        } catch (RuntimeException e) {
            AgentLog.warn("could not refuse stream %s: %s", uri, e.getMessage());
        }
    }

    /** Copies a frame's bytes (the buffer is the client's, reused after the callback). */
    static byte[] bytes(ByteBuffer data) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        return b;
    }
}
