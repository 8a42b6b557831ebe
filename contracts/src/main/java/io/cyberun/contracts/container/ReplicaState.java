package io.cyberun.contracts.container;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where one replica stands on its agent. {@code starting}: launched, its health path has not answered yet;
 * {@code healthy}: it answers and gets traffic; {@code unhealthy}: it runs but its health path fails (no traffic);
 * {@code failed}: it exited or could not start (the reason says why; the scheduler places a new one);
 * {@code stopped}: stopped on request.
 */
public enum ReplicaState {
    STARTING, HEALTHY, UNHEALTHY, FAILED, STOPPED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ReplicaState fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Still on its agent (starting, healthy or unhealthy). */
    public boolean live() {
        return this == STARTING || this == HEALTHY || this == UNHEALTHY;
    }
}
