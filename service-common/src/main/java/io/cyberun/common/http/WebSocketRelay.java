package io.cyberun.common.http;

import io.vertx.core.Handler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.atomic.AtomicBoolean;

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
        afterLastMessage(from, v -> {
            if (!to.isClosed()) {
                Short code = from.closeStatusCode();
                // 1005 (no code) and 1006 (dropped) may not be sent in a close frame.
                to.close(code == null || code == 1005 || code == 1006 ? (short) 1000 : code, from.closeReason());
            }
        });
    }

    /**
     * Calls {@code handler} once {@code ws} has closed and every message it received before closing has been handled.
     * Vert.x reports a close frame (the close handler) as soon as it arrives, even while messages before it still wait
     * in a paused socket's buffer; the socket's end comes after them. Finishing on the close handler cut a relayed body
     * short: a 10 MB tunnel download ended at 9.9 MB under its Content-Length, and the client waited for the rest. So a
     * close frame is acted on at the end, and only a dropped connection (no close frame, no end to come) at once.
     */
    public static void afterLastMessage(WebSocketBase ws, Handler<Void> handler) {
        AtomicBoolean called = new AtomicBoolean();
        Handler<Void> once = v -> {
            if (called.compareAndSet(false, true)) {
                handler.handle(null);
            }
        };
        ws.endHandler(once);
        ws.closeHandler(v -> {
            if (ws.closeStatusCode() == null) {
                once.handle(null);
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
