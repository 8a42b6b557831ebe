package io.cyberun.contracts.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The type of a workflow parameter. {@code integer} is a {@code number} that must be whole. */
public enum ParameterType {
    STRING, NUMBER, INTEGER, BOOLEAN, SELECT, FILE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ParameterType fromWire(String value) {
        if (value == null) {
            return null;
        }
        for (ParameterType t : values()) {
            if (t.wireName().equals(value)) {
                return t;
            }
        }
        return null;
    }
}
