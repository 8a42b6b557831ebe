package io.cyberun.contracts.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Team roles, strongest first: owner > admin > member > viewer. */
public enum Role {
    OWNER, ADMIN, MEMBER, VIEWER;

    /** Whether this role includes everything {@code other} may do. */
    public boolean atLeast(Role other) {
        return ordinal() <= other.ordinal();
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Role fromWire(String value) {
        if (value == null) {
            return null;
        }
        for (Role r : values()) {
            if (r.wireName().equals(value)) {
                return r;
            }
        }
        return null;
    }
}
