package io.cyberun.task.webhook;

import io.cyberun.task.config.WebhookConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Sends stored webhook deliveries. Due deliveries are claimed with {@code FOR UPDATE SKIP LOCKED} and a lease (the
 * attempt is counted and the next try pushed past the lease before anything is sent), so replicas never send one
 * attempt twice and a delivery whose sender died is tried again when its lease runs out. A 2xx answer delivers it;
 * anything else (or no answer within the timeout) schedules the next attempt, and after the last one it is failed.
 * Each request carries {@code X-Webhook-Signature-256: sha256=HMAC(secret, body)} as the product documents, and
 * {@code X-Webhook-Timestamp} with {@code X-Webhook-Timestamp-Signature-256: sha256=HMAC(secret, timestamp + "." +
 * body)} so a receiver can refuse a replayed request.
 */
@ApplicationScoped
public class WebhookDispatcher {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    static final int BATCH = 32;
    static final Duration LEASE = Duration.ofSeconds(60);
    static final int MAX_ERROR = 500;

    private final Pool pool;
    private final WebhookConfig config;
    private final WebhookUrls urls;
    private final Vertx vertx;
    private final Clock clock;
    private final HttpClient http;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean stopping;

    public WebhookDispatcher(Pool pool, WebhookConfig config, WebhookUrls urls, Vertx vertx, Clock clock, MeterRegistry metrics) {
        this.pool = pool;
        this.config = config;
        this.urls = urls;
        this.vertx = vertx;
        this.clock = clock;
        // Redirects are not followed: a public URL could otherwise send the request to an internal one.
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        metrics.gauge("cyberun.webhooks.attempts", sent);
    }

    /** Run now (after a commit that added deliveries). */
    public void nudge() {
        if (stopping) {
            return;
        }
        again.set(true);
        if (running.compareAndSet(false, true)) {
            loop();
        }
    }

    /** At shutdown the pool closes: stop claiming (a claimed attempt's lease runs out and another replica retries it). */
    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(every = "1s", delayed = "3s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        nudge();
    }

    private void loop() {
        again.set(false);
        claim().flatMap(this::sendAll).subscribe().with(count -> {
            running.set(false);
            if ((count == BATCH || again.get()) && running.compareAndSet(false, true)) {
                loop();
            }
        }, failure -> {
            LOG.warnf("webhook deliveries could not be read, retrying within a second: %s", failure.getMessage());
            running.set(false);
        });
    }

    record Attempt(UUID id, UUID webhookId, int attempt, String payload, String eventType, String url, String secret) {
    }

    /** Claims due deliveries: counts their attempt and moves their next try past the lease, in one statement. */
    Uni<List<Attempt>> claim() {
        return pool.preparedQuery("""
                        update webhook_delivery d set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8)
                        from webhook w
                        where w.id = d.webhook_id and d.id in (
                            select dd.id from webhook_delivery dd join webhook ww on ww.id = dd.webhook_id
                            where dd.delivery_status = 'pending' and dd.next_attempt_at <= now() and ww.webhook_status = 'active'
                            order by dd.next_attempt_at limit $1 for update of dd skip locked)
                        returning d.id, d.webhook_id, d.attempts, d.payload, d.event_type, w.webhook_url, w.webhook_secret""")
                .execute(Tuple.of(BATCH, (double) LEASE.toSeconds()))
                .map(rows -> {
                    List<Attempt> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Attempt(r.getUUID(0), r.getUUID(1), r.getInteger(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6)));
                    }
                    return out;
                });
    }

    private Uni<Integer> sendAll(List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Uni.join().all(attempts.stream().map(this::attempt).toList()).andCollectFailures().replaceWith(attempts.size());
    }

    private Uni<Void> attempt(Attempt a) {
        return Uni.createFrom().item(() -> send(a)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(outcome -> record(a, outcome))
                .onFailure().invoke(e -> LOG.warnf("recording webhook delivery %s failed: %s", a.id(), e.getMessage()));
    }

    record Outcome(Integer status, String error) {
        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /** One HTTP attempt (blocking, on a worker thread). */
    Outcome send(Attempt a) {
        URI uri = URI.create(a.url());
        String refusal = urls.refusal(uri);
        if (refusal != null) {
            return new Outcome(null, "not sent: the URL " + refusal);
        }
        byte[] body = a.payload().getBytes(StandardCharsets.UTF_8);
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Cyberun-Webhooks/1")
                .header("X-Webhook-Event", a.eventType())
                .header("X-Webhook-Delivery", a.id().toString())
                .header("X-Webhook-Attempt", Integer.toString(a.attempt()))
                .header("X-Webhook-Timestamp", timestamp)
                .header("X-Webhook-Signature-256", "sha256=" + hmac(a.secret(), body))
                .header("X-Webhook-Timestamp-Signature-256", "sha256=" + hmac(a.secret(), (timestamp + ".").getBytes(StandardCharsets.UTF_8), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        sent.incrementAndGet();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            return new Outcome(response.statusCode(), response.statusCode() / 100 == 2 ? null : "the receiver answered " + response.statusCode());
        } catch (java.net.http.HttpTimeoutException e) {
            return new Outcome(null, "no answer within " + config.timeout().toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, "interrupted");
        } catch (Exception e) {
            return new Outcome(null, "could not connect: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private Uni<Void> record(Attempt a, Outcome outcome) {
        String error = outcome.error() == null ? null : outcome.error().substring(0, Math.min(MAX_ERROR, outcome.error().length()));
        if (outcome.delivered()) {
            return pool.withTransaction(conn -> conn.preparedQuery("""
                            update webhook_delivery set delivery_status = 'delivered', delivered_at = now(), next_attempt_at = null,
                              last_status_code = $2, last_error = null where id = $1""").execute(Tuple.of(a.id(), outcome.status()))
                    .flatMap(x -> conn.preparedQuery("update webhook set last_delivered_at = now() where id = $1").execute(Tuple.of(a.webhookId()))))
                    .replaceWithVoid();
        }
        List<Duration> delays = config.attemptDelays();
        boolean last = a.attempt() >= delays.size();
        LOG.debugf("webhook delivery %s attempt %d failed: %s", a.id(), a.attempt(), error);
        return pool.preparedQuery("""
                        update webhook_delivery set delivery_status = $2, last_status_code = $3, last_error = $4,
                          next_attempt_at = case when $5::float8 >= 0 then now() + make_interval(secs => $5::float8) else null end
                        where id = $1""")
                .execute(Tuple.tuple().addUUID(a.id()).addString(last ? "failed" : "pending").addInteger(outcome.status()).addString(error)
                        .addDouble(last ? -1.0 : delays.get(a.attempt()).toMillis() / 1000.0))
                .replaceWithVoid();
    }

    static String hmac(String secret, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (Exception e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
