package io.cyberun.gateway.service;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.redis.LuaScript;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.AgentKeyDirectory;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.model.Credential;
import io.cyberun.gateway.repository.CredentialRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Keeps the agent-key directory ({@link AgentKeyDirectory}) that agent-hub reads when an agent connects, so the hub
 * never calls back into the gateway. A key goes in inside the transaction that issues it (its secret reaches the user
 * only after that, so a key the user holds is always there); a tombstone replaces it once its revocation has
 * committed; and a reconciliation (at start and every minute, at once when the directory was lost) writes every active key again, tombstones the
 * revoked and expired ones the index still names, and marks the directory ready. A failed write or a Redis that
 * restarted empty is so repaired within one interval; meanwhile the hub asks agents to come back rather than refuse them.
 */
@ApplicationScoped
public class AgentKeyPublisher {
    private static final Logger LOG = Logger.getLogger(AgentKeyPublisher.class);
    /** Longer than any reconciliation that read an active key before its revocation can take to write it. */
    static final Duration TOMBSTONE_TTL = Duration.ofDays(30);
    /** How often every key is written again even when the directory looks whole (repairs a write that failed). */
    static final Duration FULL_RECONCILIATION = Duration.ofMinutes(1);
    /** Longer than a reconciliation takes; the mark only needs to outlive one. */
    static final Duration RECONCILING_TTL = Duration.ofMinutes(10);

    /** Puts an active entry and its index field, unless the key was revoked (a tombstone is final). */
    private static final LuaScript PUT = new LuaScript("""
            local current = redis.call('GET', KEYS[1])
            if current and string.sub(current, -8) == ' revoked' then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[1])
            redis.call('HSET', KEYS[2], ARGV[2], KEYS[1])
            return 1
            """);

    /**
     * Marks the directory ready only if this reconciliation's own mark is still there: had Redis lost its keys since the
     * reconciliation began, the keys written before the loss are gone, and a ready mark would make agent-hub refuse them.
     */
    private static final LuaScript MARK_READY = new LuaScript("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then
              return 0
            end
            redis.call('SET', KEYS[2], ARGV[2])
            return 1
            """);

    private final ReactiveRedisDataSource redis;
    private final CredentialRepository credentials;
    private final Clock clock;
    private final String prefix;
    private volatile Instant lastReconciled = Instant.EPOCH;

    public AgentKeyPublisher(ReactiveRedisDataSource redis, CredentialRepository credentials, Clock clock, CyberunConfig config) {
        this.redis = redis;
        this.credentials = credentials;
        this.clock = clock;
        this.prefix = config.redis().keyPrefix();
    }

    /** Puts a newly issued agent key in; a failure fails the caller's transaction (the key would not connect). */
    public Uni<Void> issued(Credential c) {
        if (CredentialKind.fromWire(c.kind) != CredentialKind.AGENT) {
            return Uni.createFrom().voidItem();
        }
        return put(c).onFailure().transform(e -> {
            LOG.warnf("could not publish agent key %s to Redis: %s", c.id, e.getMessage());
            return new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE, "the agent key directory (Redis) is not reachable; try again shortly");
        }).replaceWithVoid();
    }

    /**
     * After a revocation committed: tombstones the revoked agent keys the index names (other kinds are not in it).
     * A failure is logged: the next reconciliation tombstones them.
     */
    public Uni<Void> revoked(Collection<UUID> credentialIds) {
        if (credentialIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> ids = credentialIds.stream().map(UUID::toString).toList();
        return redis.hash(String.class).hmget(AgentKeyDirectory.index(prefix), ids.toArray(new String[0]))
                .flatMap(this::tombstone)
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("could not tombstone %d revoked agent key(s) (%s); the next reconciliation does", ids.size(), e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * Every few seconds: reconciles when the ready mark is gone (Redis lost its keys) or the last reconciliation is a
     * minute old (the first check after start is one); otherwise one {@code EXISTS}.
     */
    @Scheduled(every = "${cyberun.gateway.agent-key-check-interval:5s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        if (Duration.between(lastReconciled, clock.instant()).compareTo(FULL_RECONCILIATION) >= 0) {
            return reconcile();
        }
        return redis.key(String.class).exists(AgentKeyDirectory.ready(prefix))
                .flatMap(ready -> ready ? Uni.createFrom().voidItem() : reconcile())
                .onFailure().recoverWithUni(e -> {
                    LOG.debugf("agent key directory check skipped: %s", e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    /** Writes every active agent key again, tombstones the inactive ones the index names, then marks the directory ready. */
    Uni<Void> reconcile() {
        Instant now = clock.instant();
        String run = UUID.randomUUID().toString();
        return redis.value(String.class).setex(AgentKeyDirectory.reconciling(prefix), RECONCILING_TTL.toSeconds(), run)
                .flatMap(x -> Panache.withSession(() -> credentials.list("kind = ?1 and keyStatus = 'active'", CredentialKind.AGENT.wireName())))
                .flatMap(active -> Multi.createFrom().iterable(active).filter(c -> c.expiresAt == null || c.expiresAt.isAfter(now))
                        .onItem().transformToUniAndConcatenate(this::put).collect().last())
                .flatMap(x -> retireInactive(now))
                .flatMap(x -> markReady(run, now))
                .invoke(marked -> {
                    if (marked) {
                        lastReconciled = now;
                    } else {
                        LOG.info("agent key directory: Redis lost its keys (or another gateway began) during a reconciliation; not marked ready");
                    }
                })
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    LOG.debugf("agent key reconciliation skipped: %s", e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    /** Sets the ready mark if {@code run} is still the reconciliation under way (see {@link #MARK_READY}). */
    Uni<Boolean> markReady(String run, Instant now) {
        return MARK_READY.run(redis, List.of(AgentKeyDirectory.reconciling(prefix), AgentKeyDirectory.ready(prefix)), List.of(run, now.toString()))
                .map(r -> r.toInteger() == 1);
    }

    /**
     * Tombstones the keys the index names that are revoked or expired. A name with no credential row is left: it is
     * a key whose issuing transaction has not committed yet (rows are never deleted), or rolled back (a secret nobody got).
     */
    private Uni<Void> retireInactive(Instant now) {
        return redis.hash(String.class).hgetall(AgentKeyDirectory.index(prefix)).flatMap(index -> {
            if (index.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            List<UUID> ids = new ArrayList<>();
            index.keySet().forEach(id -> {
                try {
                    ids.add(UUID.fromString(id));
                } catch (IllegalArgumentException e) {
                    LOG.debugf("ignoring a malformed agent key index field");
                }
            });
            return Panache.withSession(() -> credentials.list("id in ?1", ids)).flatMap(found -> {
                Map<String, String> names = new HashMap<>();
                for (Credential c : found) {
                    if (!"active".equals(c.keyStatus) || c.expiresAt != null && !c.expiresAt.isAfter(now)) {
                        names.put(c.id.toString(), index.get(c.id.toString()));
                    }
                }
                return tombstone(names);
            });
        });
    }

    private Uni<Void> put(Credential c) {
        String name = AgentKeyDirectory.entry(prefix, AgentKeyDirectory.hex(c.secretHash));
        String value = AgentKeyDirectory.Entry.active(c.id, c.teamId, c.expiresAt).encode();
        return PUT.run(redis, List.of(name, AgentKeyDirectory.index(prefix)), List.of(value, c.id.toString())).replaceWithVoid();
    }

    /** Replaces the entries (credential id → entry name) with tombstones and drops them from the index. */
    private Uni<Void> tombstone(Map<String, String> names) {
        List<Uni<Void>> writes = new ArrayList<>();
        names.forEach((id, name) -> {
            if (name != null) {
                writes.add(redis.value(String.class).setex(name, TOMBSTONE_TTL.toSeconds(), AgentKeyDirectory.Entry.tombstone(UUID.fromString(id)).encode())
                        .flatMap(x -> redis.hash(String.class).hdel(AgentKeyDirectory.index(prefix), id)).replaceWithVoid());
            }
        });
        return writes.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(writes).andFailFast().replaceWithVoid();
    }
}
