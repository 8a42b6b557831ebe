package io.cyberun.contracts.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The states of a task. {@code pending → waiting → provisioning → queued → running → completed | failed |
 * cancelled}; the last three are terminal and final.
 */
public enum TaskStatus {
    /** Accepted; the scheduler has not picked it up yet. */
    PENDING,
    /** The scheduler has it but no eligible agent is free. */
    WAITING,
    /** The chosen agent is syncing the models the workflow needs. */
    PROVISIONING,
    /** Dispatched to an agent; waiting for its acknowledgement. */
    QUEUED,
    /** The agent acknowledged and runs it. */
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; {@code null} when it is not a task status. */
    @JsonCreator
    public static TaskStatus fromWire(String value) {
        if (value == null) {
            return null;
        }
        for (TaskStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        return null;
    }
}
