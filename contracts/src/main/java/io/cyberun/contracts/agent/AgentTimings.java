package io.cyberun.contracts.agent;

import java.time.Duration;

/** The timings of the agent protocol, in one place: the hub tells agents these in its welcome. */
public final class AgentTimings {
    /** How often an agent sends a heartbeat. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    /** An agent silent this long is dropped and its tasks failed or retried; three missed heartbeats. */
    public static final Duration SILENCE_LIMIT = Duration.ofSeconds(15);
    /** A dispatch not acknowledged this long goes back to the queue with a new attempt number. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private AgentTimings() {
    }
}
