package io.cyberun.gateway.sse;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * One SSE client of one task. Every method runs on the connection's event-loop context. Events that arrive while
 * the log is replayed wait in {@link #pending}; an event whose id was already sent is skipped, so a client sees
 * each event once, in order. A client that reads too slowly gets progress coalesced (the latest one is sent when
 * it catches up); status, log and terminal events are never dropped, and a client too far behind is closed (it
 * resumes with Last-Event-ID).
 */
final class TaskSubscriber {
    /** Events written past a full write queue before the stream is closed. */
    static final int MAX_BACKLOG = 1000;

    final UUID taskId;
    final Context context;
    private final HttpServerResponse response;
    private final List<SseFrame> pending = new ArrayList<>();
    private long lastSent;
    private boolean replaying = true;
    private boolean started;
    private boolean ended;
    private int backlog;
    private SseFrame coalescedProgress;
    long keepAliveTimer = -1;
    /** Replay pages that failed in a row, once the stream had started (reset by a page that arrives). */
    int replayFailures;

    TaskSubscriber(UUID taskId, Context context, HttpServerResponse response, long lastEventId) {
        this.taskId = taskId;
        this.context = context;
        this.response = response;
        this.lastSent = lastEventId;
    }

    void start() {
        started = true;
        response.setStatusCode(200)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no")
                .setChunked(true);
        response.drainHandler(v -> drained());
        response.write("retry: 2000\n\n");
    }

    boolean started() {
        return started;
    }

    /** A live event, on the connection's context. */
    void offer(SseFrame event) {
        if (ended) {
            return;
        }
        if (replaying) {
            pending.add(event);
        } else {
            send(event);
        }
    }

    /** The log is replayed: the events that arrived meanwhile follow, in order. */
    void replayDone(boolean taskTerminal) {
        replaying = false;
        pending.sort(Comparator.comparingLong(SseFrame::id));
        for (SseFrame e : pending) {
            send(e);
        }
        pending.clear();
        if (taskTerminal && !ended) {
            end();
        }
    }

    void send(SseFrame event) {
        if (ended || event.id() <= lastSent) {
            return;
        }
        if (response.writeQueueFull()) {
            if (event.isProgress()) {
                coalescedProgress = event;
                return;
            }
            if (event.isPreview()) {
                return; // a reader this far behind gets the next preview, not this one
            }
            if (++backlog > MAX_BACKLOG) {
                end();
                return;
            }
        }
        write(event);
        if (event.terminal()) {
            end();
        }
    }

    void keepAlive() {
        if (!ended && started) {
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

    boolean ended() {
        return ended;
    }

    long lastSent() {
        return lastSent;
    }

    private void drained() {
        backlog = 0;
        SseFrame progress = coalescedProgress;
        coalescedProgress = null;
        if (progress != null && progress.id() > lastSent) {
            write(progress);
        }
    }

    private void write(SseFrame event) {
        lastSent = event.id();
        response.write(event.text());
    }
}
