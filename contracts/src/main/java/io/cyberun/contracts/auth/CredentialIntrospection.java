package io.cyberun.contracts.auth;

import java.util.UUID;

/**
 * agent-hub → gateway: what a raw credential secret belongs to. Only the gateway holds credential hashes;
 * the hub asks it when an agent connects.
 */
public final class CredentialIntrospection {
    private CredentialIntrospection() {
    }

    /** The secret to look up, as the client presented it. */
    public record Request(String secret) {
    }

    /** An active credential: its id, kind and team (and user, for device keys). */
    public record Result(UUID credentialId, CredentialKind kind, UUID teamId, String userId, String displayName) {
    }

    /** Credential ids to check, or (in the answer) those that are no longer active: revoked, expired or gone. */
    public record Ids(java.util.List<UUID> credentialIds) {
    }
}
