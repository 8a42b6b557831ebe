package io.cyberun.task.service;

import io.cyberun.contracts.events.EventEnvelope;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** Remembers which messages were applied, inside the transaction that applies them. */
@ApplicationScoped
public class ProcessedMessages {
    /** Longer than the longest retention of a topic whose messages are deduplicated (7 days). */
    static final Duration KEEP = Duration.ofDays(8);

    /** Records the id; {@code true} when it was new. Call inside the transaction that applies the message. */
    public Uni<Boolean> markNew(UUID id) {
        return Panache.getSession().flatMap(session -> session
                .createNativeQuery("insert into processed_message (id, processed_at) values (:id, now()) on conflict do nothing")
                .setParameter("id", id)
                .executeUpdate()
                .map(inserted -> inserted == 1));
    }

    /** The envelope's id as a UUID (ids written by Cyberun are UUIDs; any other string is hashed to one). */
    public static UUID idOf(EventEnvelope envelope) {
        try {
            return UUID.fromString(envelope.id());
        } catch (IllegalArgumentException e) {
            return UUID.nameUUIDFromBytes(envelope.id().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session
                .createNativeQuery("delete from processed_message where processed_at < now() - make_interval(secs => :secs)")
                .setParameter("secs", (double) KEEP.toSeconds())
                .executeUpdate())).replaceWithVoid();
    }
}
