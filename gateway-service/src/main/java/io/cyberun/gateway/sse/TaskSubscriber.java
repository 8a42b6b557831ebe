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
final class TaskSubscriber extends SseSubscriber {
    final UUID taskId;
    private final List<SseFrame> pending = new ArrayList<>();
    private long lastSent;
    private boolean replaying = true;
    private SseFrame coalescedProgress;
    /** Replay pages that failed in a row, once the stream had started (reset by a page that arrives). */
    int replayFailures;

    TaskSubscriber(UUID taskId, Context context, HttpServerResponse response, long lastEventId) {
        super(context, response);
        this.taskId = taskId;
        this.lastSent = lastEventId;
    }

    /** A live event, on the connection's context. */
    void offer(SseFrame event) {
        if (ended()) {
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
        if (taskTerminal) {
            end();
        }
    }

    void send(SseFrame event) {
        if (ended() || event.id() <= lastSent) {
            return;
        }
        if (readerBehind()) {
            if (event.isProgress()) {
                coalescedProgress = event;
                return;
            }
            if (event.isPreview()) {
                return; // a reader this far behind gets the next preview, not this one
            }
            if (!withinBacklog()) {
                return;
            }
        }
        write(event);
        if (event.terminal()) {
            end();
        }
    }

    long lastSent() {
        return lastSent;
    }

    @Override
    protected void caughtUp() {
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
