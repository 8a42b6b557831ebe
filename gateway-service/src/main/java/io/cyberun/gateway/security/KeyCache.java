package io.cyberun.gateway.security;

import io.cyberun.contracts.auth.Principal;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.cyberun.gateway.service.Secrets;

/**
 * The principals of integration keys ({@code sk-}) recently looked up, so a busy key costs no database query per
 * request. An entry is keyed by the SHA-256 of the secret (no secret is kept in memory), remembers the revocation
 * epoch read before its lookup ({@link RevocationEpoch}) and the key's own expiry, and lives at most {@link #TTL}: a
 * request whose rate-limit call reads another epoch looks the key up again. Only integration keys are cached: a
 * device key acts with its user's current role, which membership changes alter without a revocation.
 */
@ApplicationScoped
public class KeyCache {
    public static final Duration TTL = Duration.ofSeconds(10);
    static final int MAX_ENTRIES = 10_000;

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    /** The revocation epoch the last rate-limit call read. */
    private volatile long epoch = Long.MIN_VALUE;

    public KeyCache(Clock clock) {
        this.clock = clock;
    }

    /** A cached principal and the epoch it was looked up under. */
    public record Entry(Principal principal, long epoch, Instant cachedAt, Instant keyExpiresAt) {
    }

    public Entry get(String secret) {
        Entry e = entries.get(id(secret));
        Instant now = clock.instant();
        if (e == null || !e.cachedAt().plus(TTL).isAfter(now) || (e.keyExpiresAt() != null && !e.keyExpiresAt().isAfter(now))) {
            return null;
        }
        return e;
    }

    /** The epoch to cache a lookup under: read before the lookup, so a revocation committed after it is noticed. */
    public long epochBeforeLookup() {
        return epoch;
    }

    public void put(String secret, Principal principal, long lookedUpUnder, Instant keyExpiresAt) {
        if (lookedUpUnder == Long.MIN_VALUE) {
            return; // no epoch read yet: nothing to compare a later one with
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(id(secret), new Entry(principal, lookedUpUnder, clock.instant(), keyExpiresAt));
    }

    public void forget(String secret) {
        entries.remove(id(secret));
    }

    /** The epoch a rate-limit call just read. */
    public void epochRead(long read) {
        epoch = read;
    }

    private static String id(String secret) {
        return Secrets.sha256Hex(secret);
    }
}
