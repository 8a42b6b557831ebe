package io.cyberun.gateway.sse;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One dashboard's team stream; every method runs on the connection's context. While a resume replays, live events
 * wait; afterwards those a snapshot already covers (a seq not above the snapshot's) are dropped. A reader too slow for
 * the stream gets progress coalesced (the latest per task when it catches up) and is closed when its backlog of state
 * changes passes {@link SseSubscriber#MAX_BACKLOG} (it resumes with its last id).
 */
final class TeamSubscriber extends SseSubscriber {
    record Frame(UUID task, long seq, boolean progress, String text) {
    }

    final UUID team;
    private final List<Frame> pending = new ArrayList<>();
    private final Map<UUID, Long> snapshotSeq = new HashMap<>();
    private final Map<UUID, Frame> coalesced = new LinkedHashMap<>();
    private boolean replaying;

    TeamSubscriber(UUID team, Context context, HttpServerResponse response, boolean resuming) {
        super(context, response);
        this.team = team;
        this.replaying = resuming;
    }

    /** The first event of a stream that resumes nothing: its id is where a reconnect resumes from. */
    void ready(long now) {
        write("id: " + now + "\nevent: ready\ndata: {\"team_id\":\"" + team + "\"}\n\n");
    }

    void snapshot(UUID task, long seq, String text) {
        snapshotSeq.merge(task, seq, Math::max);
        write(text);
    }

    void replayDone(long now) {
        replaying = false;
        for (Frame f : pending) {
            Long covered = snapshotSeq.get(f.task());
            if (covered == null || f.seq() > covered) {
                send(f);
            }
        }
        pending.clear();
        snapshotSeq.clear();
        ready(now);
    }

    void offer(Frame frame) {
        if (ended()) {
            return;
        }
        if (replaying) {
            pending.add(frame);
        } else {
            send(frame);
        }
    }

    private void send(Frame frame) {
        if (ended()) {
            return;
        }
        if (readerBehind()) {
            if (frame.progress()) {
                coalesced.put(frame.task(), frame);
                return;
            }
            if (!withinBacklog()) {
                return;
            }
        }
        write(frame.text());
    }

    @Override
    protected void caughtUp() {
        List<Frame> latest = new ArrayList<>(coalesced.values());
        coalesced.clear();
        latest.forEach(f -> write(f.text()));
    }

    private void write(String text) {
        if (!ended() && !response.closed()) {
            response.write(text);
        }
    }
}
