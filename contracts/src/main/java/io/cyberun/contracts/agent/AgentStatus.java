package io.cyberun.contracts.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** An agent's status as the product defines it; only {@code idle} and {@code busy} agents take tasks. */
public enum AgentStatus {
    /** Connected, running nothing. */
    IDLE,
    /** Running tasks; takes more while {@code running_count < gpu_capacity}. */
    BUSY,
    /** Pulling models or node packages; takes no tasks. */
    SYNCING,
    /** An interactive tunnel is open; takes no tasks until it closes. */
    TUNNEL,
    /** Connected, but its runtime's health check fails; takes no tasks. */
    UNHEALTHY;

    /** Whether the scheduler may give this agent a task (capacity is checked separately). */
    public boolean takesTasks() {
        return this == IDLE || this == BUSY;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static AgentStatus fromWire(String value) {
        if (value == null) {
            return null;
        }
        for (AgentStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        return null;
    }
}
