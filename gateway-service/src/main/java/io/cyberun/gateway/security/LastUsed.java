package io.cyberun.gateway.security;

import io.cyberun.gateway.repository.CredentialRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * A credential's {@code last_used_at} without a write per request: each use is noted in memory and the latest
 * time per credential is written every few seconds, in one transaction (so a busy key costs one UPDATE per flush,
 * not one per request). The column is therefore up to one flush interval behind.
 */
@ApplicationScoped
public class LastUsed {
    private static final Logger LOG = Logger.getLogger(LastUsed.class);
    // A stop loses at most one interval of last-use times: the column is a hint for finding unused keys.

    private final Map<UUID, Instant> pending = new ConcurrentHashMap<>();
    private final CredentialRepository credentials;
    private final Clock clock;

    public LastUsed(CredentialRepository credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    public void used(UUID credentialId) {
        if (credentialId != null) {
            pending.merge(credentialId, clock.instant(), (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    @Scheduled(every = "${cyberun.gateway.last-used-flush:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> flush() {
        if (pending.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<UUID, Instant> batch = new HashMap<>();
        for (UUID id : pending.keySet()) {
            Instant at = pending.remove(id);
            if (at != null) {
                batch.put(id, at);
            }
        }
        return Panache.withTransaction(() -> Multi.createFrom().iterable(batch.entrySet())
                        .onItem().transformToUniAndConcatenate(e -> credentials.touch(e.getKey(), e.getValue()))
                        .collect().asList())
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("could not record credential use (%s); retrying at the next flush", e.getMessage());
                    batch.forEach((id, at) -> pending.merge(id, at, (a, b) -> a.isAfter(b) ? a : b));
                    return Uni.createFrom().voidItem();
                });
    }
}
