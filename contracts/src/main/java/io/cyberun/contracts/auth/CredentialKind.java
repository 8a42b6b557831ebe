package io.cyberun.contracts.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Who a request comes from: a signed-in user, one of the three credential families, or an internal service. */
public enum CredentialKind {
    /** An OIDC access token of a user, with the team chosen by {@code X-Team-ID}. */
    USER(null),
    /** {@code sk-}: team-bound integration key for the runtime API and MCP. */
    INTEGRATION("sk-"),
    /** {@code dk-}: user-bound device key from device pairing. */
    DEVICE("dk-"),
    /** {@code ak-}: agent key, accepted only on the agent WebSocket. */
    AGENT("ak-"),
    /** An internal service calling another one on its own behalf. */
    SERVICE(null);

    private final String secretPrefix;

    CredentialKind(String secretPrefix) {
        this.secretPrefix = secretPrefix;
    }

    /** The prefix of this kind's secrets, or {@code null} when it has none. */
    public String secretPrefix() {
        return secretPrefix;
    }

    /** The credential kind a raw secret belongs to, by its prefix; {@code null} for anything else. */
    public static CredentialKind ofSecret(String secret) {
        if (secret == null) {
            return null;
        }
        for (CredentialKind k : values()) {
            if (k.secretPrefix != null && secret.startsWith(k.secretPrefix)) {
                return k;
            }
        }
        return null;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static CredentialKind fromWire(String value) {
        if (value == null) {
            return null;
        }
        for (CredentialKind k : values()) {
            if (k.wireName().equals(value)) {
                return k;
            }
        }
        return null;
    }
}
