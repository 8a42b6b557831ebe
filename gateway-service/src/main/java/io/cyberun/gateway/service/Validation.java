package io.cyberun.gateway.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.FieldError;
import java.util.List;

/** Field checks shared by the identity endpoints; each failure names the field. */
final class Validation {
    static final int MAX_NAME = 100;

    private Validation() {
    }

    static String name(String field, String value) {
        if (value == null || value.isBlank() || value.strip().length() > MAX_NAME) {
            throw ApiException.invalid(field + " is invalid", List.of(new FieldError(field, "must be 1-" + MAX_NAME + " characters")));
        }
        return value.strip();
    }

    /** A role a member can be given directly: admin, member or viewer (owner only by transfer). */
    static Role assignableRole(String field, String value) {
        Role role = Role.fromWire(value == null ? null : value.strip().toLowerCase(java.util.Locale.ROOT));
        if (role == null || role == Role.OWNER) {
            String hint = role == Role.OWNER ? "; ownership moves only by POST /api/v1/teams/current/transfer" : "";
            throw ApiException.invalid(field + " is invalid", List.of(new FieldError(field, "must be admin, member or viewer" + hint)));
        }
        return role;
    }

    static String email(String field, String value) {
        if (value == null || !BootstrapService.EMAIL.matcher(value.strip()).matches() || value.length() > 320) {
            throw ApiException.invalid(field + " is invalid", List.of(new FieldError(field, "must be an email address")));
        }
        return value.strip();
    }
}
