package io.cyberun.gateway.routing;

import io.cyberun.contracts.auth.CredentialKind;
import java.util.EnumSet;
import java.util.Set;

/** Which kinds of caller a part of the API accepts, as the product documents it. */
public enum Access {
    /** The runtime API {@code /api/v1/r/...}: user tokens, sk- and dk- keys. */
    RUNTIME(EnumSet.of(CredentialKind.USER, CredentialKind.INTEGRATION, CredentialKind.DEVICE)),
    /** The management API: user tokens and dk- keys. */
    MANAGEMENT(EnumSet.of(CredentialKind.USER, CredentialKind.DEVICE)),
    /** Credential management: user tokens only (a stolen device key must not mint long-lived keys). */
    USER_ONLY(EnumSet.of(CredentialKind.USER)),
    /** Signing a device out: dk- keys only. */
    DEVICE_ONLY(EnumSet.of(CredentialKind.DEVICE)),
    /** The MCP endpoint: sk- keys only. */
    MCP(EnumSet.of(CredentialKind.INTEGRATION)),
    /** Endpoints with their own check (the admin bootstrap). */
    OPEN(EnumSet.noneOf(CredentialKind.class));

    private final Set<CredentialKind> kinds;

    Access(Set<CredentialKind> kinds) {
        this.kinds = kinds;
    }

    public boolean allows(CredentialKind kind) {
        return kinds.contains(kind);
    }

    public String describe() {
        return switch (this) {
            case RUNTIME -> "a user token, an sk- or a dk- key";
            case MANAGEMENT -> "a user token or a dk- key";
            case USER_ONLY -> "a user token";
            case DEVICE_ONLY -> "a dk- device key";
            case MCP -> "an sk- integration key";
            case OPEN -> "nothing";
        };
    }
}
