package io.cyberun.agenthub.security;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.auth.AgentKeyDirectory;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The agent keys as the gateway publishes them in Redis ({@link AgentKeyDirectory}): the hub checks an agent's key
 * here, without calling the gateway. Read only.
 */
@ApplicationScoped
public class AgentKeys {
    /** The attribute of an authentication failure that means "come back later". */
    static final String UNAVAILABLE = "cyberun.agent-keys-unavailable";
    private final ReactiveRedisDataSource redis;
    private final Clock clock;
    private final String prefix;

    public AgentKeys(ReactiveRedisDataSource redis, Clock clock, CyberunConfig config) {
        this.redis = redis;
        this.clock = clock;
        this.prefix = config.redis().keyPrefix();
    }

    /**
     * The active key with this secret, or {@code null} (unknown, revoked or expired). Fails with an
     * {@link AuthenticationFailedException} marked {@link #UNAVAILABLE} when the directory cannot answer: Redis is away,
     * or restarted empty and no gateway has published the keys again.
     */
    public Uni<AgentKeyDirectory.Entry> find(String secret) {
        Instant now = clock.instant();
        return redis.value(String.class).get(AgentKeyDirectory.entry(prefix, AgentKeyDirectory.hash(secret)))
                .flatMap(value -> {
                    AgentKeyDirectory.Entry entry = AgentKeyDirectory.Entry.decode(value);
                    if (entry != null) {
                        return Uni.createFrom().item(entry.activeAt(now) ? entry : null);
                    }
                    return ready().map(ready -> {
                        if (!ready) {
                            throw unavailable();
                        }
                        return null;
                    });
                })
                .onFailure(e -> !unavailable(e)).transform(e -> unavailable());
    }

    /**
     * Those of these credentials that may no longer connect: not in the index (revoked, or never an agent key) or
     * expired. Empty while the directory is not ready (nothing can be told then).
     */
    public Uni<Set<UUID>> inactive(Collection<UUID> credentialIds) {
        if (credentialIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        Instant now = clock.instant();
        List<String> ids = credentialIds.stream().map(UUID::toString).distinct().toList();
        return ready().flatMap(ready -> !ready ? Uni.createFrom().item(Set.<UUID>of()) : redis.hash(String.class)
                .hmget(AgentKeyDirectory.index(prefix), ids.toArray(new String[0]))
                .flatMap(names -> {
                    Set<UUID> inactive = new HashSet<>();
                    List<String> listed = new ArrayList<>();
                    names.forEach((id, name) -> {
                        if (name == null) {
                            inactive.add(UUID.fromString(id));
                        } else {
                            listed.add(name);
                        }
                    });
                    if (listed.isEmpty()) {
                        return Uni.createFrom().item(inactive);
                    }
                    return redis.value(String.class).mget(listed.toArray(new String[0])).map(entries -> {
                        for (Map.Entry<String, String> e : entries.entrySet()) {
                            AgentKeyDirectory.Entry entry = AgentKeyDirectory.Entry.decode(e.getValue());
                            if (entry != null && !entry.activeAt(now)) {
                                inactive.add(entry.credentialId());
                            }
                        }
                        return inactive;
                    });
                }));
    }

    private Uni<Boolean> ready() {
        return redis.key(String.class).exists(AgentKeyDirectory.ready(prefix));
    }

    /** The directory cannot answer now; the agent should try again shortly (not be told its key is bad). */
    static AuthenticationFailedException unavailable() {
        return new AuthenticationFailedException("the agent key directory is not available yet", Map.of(UNAVAILABLE, true));
    }

    /** Whether a failure (or one it wraps: the security layer may wrap it) is {@link #unavailable()}. */
    static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationFailedException failed && Boolean.TRUE.equals(failed.getAttribute(UNAVAILABLE))) {
                return true;
            }
        }
        return false;
    }
}
