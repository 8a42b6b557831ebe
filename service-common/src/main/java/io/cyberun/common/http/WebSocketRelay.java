package io.cyberun.common.http;

import io.vertx.core.http.WebSocketBase;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * Relays two WebSockets into each other, message for message and kind for kind, until either closes (the close,
 * with its code and reason, is passed on). A side stops being read while the other's write queue is full, so a slow
 * reader slows its writer instead of filling memory.
 */
public final class WebSocketRelay {
    private WebSocketRelay() {
    }

    public static void relay(WebSocketBase a, WebSocketBase b) {
        one(a, b);
        one(b, a);
    }

    private static void one(WebSocketBase from, WebSocketBase to) {
        from.textMessageHandler(text -> {
            if (!to.isClosed()) {
                to.writeTextMessage(text);
                throttle(from, to);
            }
        });
        from.binaryMessageHandler(buffer -> {
            if (!to.isClosed()) {
                to.writeBinaryMessage(buffer);
                throttle(from, to);
            }
        });
        from.closeHandler(v -> {
            if (!to.isClosed()) {
                Short code = from.closeStatusCode();
                // 1005 (no code) and 1006 (dropped) may not be sent in a close frame.
                to.close(code == null || code == 1005 || code == 1006 ? (short) 1000 : code, from.closeReason());
            }
        });
    }

    /** Pauses {@code from} until {@code to} has room again. */
    public static void throttle(ReadStream<?> from, WriteStream<?> to) {
        if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
            // The two sides may be on different event loops: a drain between the check and the handler was missed, and
            // the stream would stay paused for good (a tunnel download stalled so in a clean-clone run). Look again.
            if (!to.writeQueueFull()) {
                from.resume();
            }
        }
    }
}
