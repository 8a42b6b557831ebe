package io.cyberun.gateway.rest;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.error.ErrorCode;
import java.util.UUID;

/** Path ids of the gateway's own resources: a malformed id is a 400 naming the parameter, not a bare 404. */
final class Ids {
    private Ids() {
    }

    static UUID parse(String name, String value) {
        if (value != null && CredentialKind.ofSecret(value) != null) {
            // Never echo what looks like a secret back.
            throw new ApiException(ErrorCode.INVALID_REQUEST,
                    name + " must be the credential's id (a UUID), not its secret or key_prefix: list credentials to find the id");
        }
        try {
            return UUID.fromString(value == null ? "" : value.strip());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, name + " must be a UUID");
        }
    }
}
