package io.cyberun.gateway.security;

/**
 * A counter in Redis that every revocation increments after it commits (a key revoked or expired by hand, a device
 * signed out, a team deleted). Each request reads it in the same script call that takes its rate-limit tokens; a cached
 * key whose entry was made under another epoch is looked up again, so a revocation is effective on every replica at
 * the next request without a database query per request.
 */
public final class RevocationEpoch {
    private RevocationEpoch() {
    }

    public static String key(String redisPrefix) {
        return redisPrefix + "revocation-epoch";
    }
}
