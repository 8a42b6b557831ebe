package io.cyberun.contracts.auth;

/**
 * The Redis pub/sub channel on which the gateway announces revoked credentials (message: their ids, separated by
 * commas), so agent-hub closes the connections of revoked agent keys at once. Services put their Redis key prefix
 * in front of the channel name.
 */
public final class CredentialRevocations {
    public static final String CHANNEL = "credentials-revoked";

    private CredentialRevocations() {
    }
}
