package io.cyberun.contracts.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The agent keys the gateway publishes in Redis so agent-hub can check an {@code ak-} key where the agent connects,
 * without calling the gateway (which alone stores credentials). The gateway writes; the hub only reads.
 * <ul>
 *   <li>{@link #entry} (one per key, named by the SHA-256 of the secret, as the gateway stores it): the key's
 *       credential id, team and expiry, or a tombstone once revoked. A tombstone is final: the gateway never writes
 *       an active entry over it.</li>
 *   <li>{@link #index}: a hash from credential id to the entry's name, for the hub's periodic check of its open
 *       connections and the gateway's reconciliation.</li>
 *   <li>{@link #ready}: written by the gateway after it has put every active key in; without it (Redis restarted
 *       empty and no gateway has written the keys again yet) the hub cannot tell an unknown key from a lost one, and
 *       asks the agent to come back later instead of refusing it.</li>
 * </ul>
 * Every name starts with the deployment's Redis key prefix.
 */
public final class AgentKeyDirectory {
    static final String REVOKED = "revoked";

    private AgentKeyDirectory() {
    }

    public static String entry(String prefix, String secretHash) {
        return prefix + "agent-key:" + secretHash;
    }

    public static String index(String prefix) {
        return prefix + "agent-keys";
    }

    public static String ready(String prefix) {
        return prefix + "agent-keys:ready";
    }

    /** The gateway's mark of a reconciliation under way: the ready mark is set only if it survived (no Redis loss meanwhile). */
    public static String reconciling(String prefix) {
        return prefix + "agent-keys:reconciling";
    }

    /** The hex SHA-256 of a secret: how an entry is named. */
    public static String hash(String secret) {
        return hash(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The hex form of a stored SHA-256 ({@link #hash(String)} of the secret it was made from). */
    public static String hex(byte[] sha256) {
        return HexFormat.of().formatHex(sha256);
    }

    private static String hash(byte[] bytes) {
        try {
            return hex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One key: active until {@code expiresAt} (never when {@code null}), or revoked. */
    public record Entry(UUID credentialId, UUID teamId, Instant expiresAt, boolean revoked) {
        public static Entry active(UUID credentialId, UUID teamId, Instant expiresAt) {
            return new Entry(credentialId, teamId, expiresAt, false);
        }

        public static Entry tombstone(UUID credentialId) {
            return new Entry(credentialId, null, null, true);
        }

        /** Whether the key may connect an agent at {@code now}. */
        public boolean activeAt(Instant now) {
            return !revoked && teamId != null && (expiresAt == null || expiresAt.isAfter(now));
        }

        /** {@code <credential> <team> <expiry epoch ms or -> }, or {@code <credential> revoked}. */
        public String encode() {
            return revoked ? credentialId + " " + REVOKED
                    : credentialId + " " + teamId + " " + (expiresAt == null ? "-" : Long.toString(expiresAt.toEpochMilli()));
        }

        /** The entry, or {@code null} for a value this version cannot read (treated as no key). */
        public static Entry decode(String value) {
            if (value == null) {
                return null;
            }
            String[] parts = value.strip().split(" ");
            try {
                UUID credential = UUID.fromString(parts[0]);
                if (parts.length == 2 && REVOKED.equals(parts[1])) {
                    return tombstone(credential);
                }
                if (parts.length != 3) {
                    return null;
                }
                return active(credential, UUID.fromString(parts[1]), "-".equals(parts[2]) ? null : Instant.ofEpochMilli(Long.parseLong(parts[2])));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
