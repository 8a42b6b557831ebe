package io.cyberun.gateway.service;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.auth.CredentialRevocations;
import io.cyberun.gateway.security.KeyCache;
import io.cyberun.gateway.security.RevocationEpoch;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Announces revoked credentials after the revocation is committed. The REST API needs no announcement (every
 * request looks its key up); agent-hub does, to close the long-lived connections of revoked agent keys. A lost
 * announcement only delays that until agent-hub's periodic check.
 */
@ApplicationScoped
public class RevocationBroadcast {
    private static final Logger LOG = Logger.getLogger(RevocationBroadcast.class);

    private final ReactivePubSubCommands<String> pubsub;
    private final ReactiveValueCommands<String, Long> counters;
    private final String channel;
    private final String epoch;
    private final AgentKeyPublisher agentKeys;

    public RevocationBroadcast(ReactiveRedisDataSource redis, CyberunConfig config, AgentKeyPublisher agentKeys) {
        this.agentKeys = agentKeys;
        this.pubsub = redis.pubsub(String.class);
        this.counters = redis.value(Long.class);
        this.channel = config.redis().keyPrefix() + CredentialRevocations.CHANNEL;
        this.epoch = RevocationEpoch.key(config.redis().keyPrefix());
    }

    /**
     * Called after the revocation committed: moves the revocation epoch (every gateway's key cache), tombstones revoked
     * agent keys in the directory agent-hub reads (so a reconnect is refused), then tells agent-hub to close their connections.
     */
    public Uni<Void> revoked(Collection<UUID> credentialIds) {
        if (credentialIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return counters.incr(epoch)
                .onFailure().invoke(e -> LOG.warnf("could not move the revocation epoch (%s): cached keys expire within %d s",
                        e.getMessage(), KeyCache.TTL.toSeconds()))
                .onFailure().recoverWithNull()
                .flatMap(moved -> agentKeys.revoked(credentialIds))
                .flatMap(tombstoned -> pubsub.publish(channel, credentialIds.stream().map(UUID::toString).collect(Collectors.joining(","))))
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("could not announce %d revoked credential(s) to agent-hub: %s", credentialIds.size(), e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }
}
