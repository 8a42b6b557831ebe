package io.cyberun.agenthub.service;

import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.security.AgentKeys;
import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.auth.CredentialRevocations;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Closes agent connections whose ak- key is no longer active. The gateway announces revocations on a Redis
 * channel (effective within a moment); a periodic check looks every open connection's key up in the key directory
 * ({@link AgentKeys}), which also covers keys that expired and announcements this replica missed.
 */
@ApplicationScoped
public class RevokedKeys {
    private static final Logger LOG = Logger.getLogger(RevokedKeys.class);

    private final ReactiveRedisDataSource redis;
    private final AgentConnections connections;
    private final AgentProtocolHandler handler;
    private final AgentKeys keys;
    private final String channel;

    public RevokedKeys(ReactiveRedisDataSource redis, AgentConnections connections, AgentProtocolHandler handler, AgentKeys keys,
                       CyberunConfig config) {
        this.redis = redis;
        this.connections = connections;
        this.handler = handler;
        this.keys = keys;
        this.channel = config.redis().keyPrefix() + CredentialRevocations.CHANNEL;
    }

    void subscribe(@Observes StartupEvent start) {
        redis.pubsub(String.class).subscribe(channel, message -> close(parse(message)).subscribe().with(
                        ok -> { }, e -> LOG.warnf("closing revoked agent connections failed: %s", e.getMessage())))
                .subscribe().with(s -> LOG.debugf("listening for revoked credentials on %s", channel),
                        e -> LOG.warnf("cannot listen for revoked credentials (%s); the periodic check still closes them", e.getMessage()));
    }

    @Scheduled(every = "${cyberun.hub.key-check-interval:30s}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        Set<UUID> open = new HashSet<>();
        for (AgentSession s : connections.sessions()) {
            if (s.credentialId() != null) {
                open.add(s.credentialId());
            }
        }
        if (open.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return keys.inactive(open).flatMap(this::close)
                .onFailure().recoverWithUni(e -> {
                    LOG.debugf("agent key check skipped: %s", e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    Uni<Void> close(Collection<UUID> revoked) {
        if (revoked.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<AgentSession> affected = connections.sessions().stream().filter(s -> revoked.contains(s.credentialId())).toList();
        return Multi.createFrom().iterable(affected).onItem().transformToUniAndConcatenate(handler::keyRevoked).collect().asList().replaceWithVoid();
    }

    static Set<UUID> parse(String message) {
        Set<UUID> ids = new HashSet<>();
        Arrays.stream(message.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(s -> {
            try {
                ids.add(UUID.fromString(s));
            } catch (IllegalArgumentException e) {
                LOG.debugf("ignoring a malformed id on the revocation channel");
            }
        });
        return ids;
    }
}
