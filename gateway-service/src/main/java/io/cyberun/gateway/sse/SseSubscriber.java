package io.cyberun.gateway.sse;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;

/**
 * One SSE client's connection, the part every stream shares; every method runs on the connection's context. The
 * answer's head is written when the stream starts (until then an error answer may still be given instead); a reader too
 * slow for the stream is told by a full write queue, and one that falls {@link #MAX_BACKLOG} state changes behind is
 * closed (it resumes with its last event id).
 */
abstract class SseSubscriber {
    /** Events written past a full write queue before the stream is closed. */
    static final int MAX_BACKLOG = 1000;

    final Context context;
    protected final HttpServerResponse response;
    private boolean started;
    private boolean ended;
    private int backlog;
    long keepAliveTimer = -1;

    SseSubscriber(Context context, HttpServerResponse response) {
        this.context = context;
        this.response = response;
    }

    void start() {
        started = true;
        response.setStatusCode(200)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no")
                .setChunked(true);
        response.drainHandler(v -> {
            backlog = 0;
            caughtUp();
        });
        response.write("retry: 2000\n\n");
    }

    boolean started() {
        return started;
    }

    boolean ended() {
        return ended;
    }

    void keepAlive() {
        if (started && !ended) {
            response.write(":keep-alive\n\n");
        }
    }

    /** Ends the stream; before it started (an error answer is still to come) it only stops delivery. */
    void end() {
        if (!ended) {
            ended = true;
            if (started && !response.ended() && !response.closed()) {
                response.end();
            }
        }
    }

    /** Whether the reader is behind (the write queue is full): progress is then coalesced, not written. */
    protected final boolean readerBehind() {
        return response.writeQueueFull();
    }

    /** Counts a state change written while the reader is behind; past {@link #MAX_BACKLOG} the stream ends (false). */
    protected final boolean withinBacklog() {
        if (++backlog > MAX_BACKLOG) {
            end();
            return false;
        }
        return true;
    }

    /** The reader caught up (the write queue drained): what was coalesced meanwhile is written. */
    protected abstract void caughtUp();
}
