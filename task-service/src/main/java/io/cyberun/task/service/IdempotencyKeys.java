package io.cyberun.task.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/** {@code Idempotency-Key}s of run requests: a key names one request of a team for 24 hours. */
@ApplicationScoped
public class IdempotencyKeys {
    public static final Duration WINDOW = Duration.ofHours(24);
    static final Pattern KEY = Pattern.compile("^[\\x21-\\x7e]{1,255}$");

    private final Clock clock;

    public IdempotencyKeys(Clock clock) {
        this.clock = clock;
    }

    /** A key and the fingerprint of the request it came with. */
    public record Claim(String key, String requestHash) {
        public static Claim of(String header, String requestHash) {
            if (header == null) {
                return null;
            }
            if (!KEY.matcher(header).matches()) {
                throw ApiException.invalid("invalid Idempotency-Key",
                        List.of(new FieldError("Idempotency-Key", "must be 1-255 visible ASCII characters")));
            }
            return new Claim(header, requestHash);
        }
    }

    /**
     * The task an earlier request with this key created (within the window), or {@code null}. A key used with a
     * different request is a 409. Runs in the caller's session.
     */
    public Uni<UUID> earlier(UUID teamId, Claim claim) {
        Instant since = clock.instant().minus(WINDOW);
        return Panache.getSession().flatMap(s -> s.createNativeQuery(
                                "select cast(task_id as varchar), request_hash from idempotency_key"
                                        + " where team_id = :team and idempotency_key = :key and created_at > :since", Object[].class)
                        .setParameter("team", teamId).setParameter("key", claim.key()).setParameter("since", since)
                        .getResultList())
                .map(rows -> {
                    if (rows.isEmpty()) {
                        return null;
                    }
                    Object[] row = rows.get(0);
                    if (!claim.requestHash().equals(row[1])) {
                        throw new ApiException(ErrorCode.CONFLICT,
                                "this Idempotency-Key was already used with a different request; use a new key for a new request");
                    }
                    return UUID.fromString((String) row[0]);
                });
    }

    /** Records the key for the task just created, in the caller's transaction (an expired entry is replaced). */
    public Uni<Void> record(SqlConnection conn, UUID teamId, Claim claim, UUID taskId) {
        Instant now = clock.instant();
        return conn.preparedQuery("insert into idempotency_key (team_id, idempotency_key, request_hash, task_id, created_at)"
                        + " values ($1, $2, $3, $4, $5)"
                        + " on conflict (team_id, idempotency_key) do update set request_hash = excluded.request_hash,"
                        + " task_id = excluded.task_id, created_at = excluded.created_at"
                        + " where idempotency_key.created_at <= $6")
                .execute(Tuple.tuple().addValue(teamId).addValue(claim.key()).addValue(claim.requestHash()).addValue(taskId)
                        .addValue(now.atOffset(ZoneOffset.UTC)).addValue(now.minus(WINDOW).atOffset(ZoneOffset.UTC)))
                .flatMap(result -> result.rowCount() == 1 ? Uni.createFrom().voidItem()
                        // Another request with this key won the race: this transaction rolls back, the caller reads the winner.
                        : Uni.createFrom().failure(new KeyTaken()));
    }

    /** The key was claimed concurrently; the caller retries its lookup. */
    public static final class KeyTaken extends RuntimeException {
        KeyTaken() {
            super("idempotency key taken concurrently", null, false, false);
        }
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        Instant cutoff = clock.instant().minus(WINDOW);
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s
                .createNativeQuery("delete from idempotency_key where created_at <= :cutoff")
                .setParameter("cutoff", cutoff).executeUpdate())).replaceWithVoid();
    }
}
