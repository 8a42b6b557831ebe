package io.cyberun.task.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.task.model.Webhook;
import io.cyberun.task.model.WebhookDelivery;
import io.cyberun.task.repository.WebhookRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A team's webhooks (admins manage them) and the deliveries of task events to them. Deliveries are written in the
 * transaction that ends the task ({@link #enqueue}), so an event is never lost to a crash; the
 * {@link WebhookDispatcher} sends them.
 */
@ApplicationScoped
public class WebhookService {
    public static final String COMPLETED = "task.completed";
    public static final String FAILED = "task.failed";
    static final Set<String> EVENTS = Set.of(COMPLETED, FAILED);
    static final Set<String> STATUSES = Set.of("active", "disabled");
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WebhookRepository webhooks;
    private final WebhookRepository.Deliveries deliveries;
    private final WebhookUrls urls;
    private final WebhookDispatcher dispatcher;
    private final ObjectMapper json;
    private final Clock clock;

    public WebhookService(WebhookRepository webhooks, WebhookRepository.Deliveries deliveries, WebhookUrls urls, WebhookDispatcher dispatcher,
                          ObjectMapper json, Clock clock) {
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.urls = urls;
        this.dispatcher = dispatcher;
        this.json = json;
        this.clock = clock;
    }

    public record Page<T>(List<T> items, long total) {
    }

    /** A new webhook; its fields were validated where the request was read ({@link NewWebhook}), its URL is checked here. */
    public Uni<Webhook> create(UUID teamId, NewWebhook request) {
        ArrayNode events = json.createArrayNode();
        new LinkedHashSet<>(request.webhookEvents()).forEach(events::add);
        return checkUrl(request.webhookUrl()).flatMap(checked -> create(teamId, request.displayName().strip(), checked, events));
    }

    private Uni<Webhook> create(UUID teamId, String name, String url, ArrayNode events) {
        Instant now = clock.instant();
        Webhook w = new Webhook();
        w.id = UUID.randomUUID();
        w.teamId = teamId;
        w.displayName = name;
        w.webhookUrl = url;
        w.webhookEvents = events;
        w.webhookSecret = secret();
        w.webhookStatus = "active";
        w.createdAt = now;
        w.updatedAt = now;
        return Panache.withTransaction(() -> webhooks.persist(w));
    }

    @WithSession
    public Uni<Webhook> get(UUID teamId, UUID id) {
        return webhooks.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("webhook"));
    }

    @WithSession
    public Uni<Page<Webhook>> list(UUID teamId, int page, int perPage) {
        return webhooks.page(teamId, page - 1, perPage).flatMap(items -> webhooks.countInTeam(teamId).map(total -> new Page<>(items, total)));
    }

    /**
     * Changes the fields the body names; an unknown field or a bad value changes nothing. Read as JSON rather than a
     * record: a change names only what it changes, and a field that is not a webhook's must be refused, not ignored.
     */
    public Uni<Webhook> update(UUID teamId, UUID id, JsonNode patch) {
        requireObject(patch);
        List<FieldError> errors = new ArrayList<>();
        patch.fieldNames().forEachRemaining(f -> {
            if (!Set.of("display_name", "webhook_url", "webhook_events", "webhook_status").contains(f)) {
                errors.add(new FieldError(f, "is not a field of a webhook (display_name, webhook_url, webhook_events, webhook_status)"));
            }
        });
        String name = patch.has("display_name") ? displayName(patch.get("display_name"), errors) : null;
        ArrayNode events = patch.has("webhook_events") ? events(patch.get("webhook_events"), errors) : null;
        String status = null;
        if (patch.has("webhook_status")) {
            status = text(patch.get("webhook_status"));
            if (status == null || !STATUSES.contains(status)) {
                errors.add(new FieldError("webhook_status", "must be active or disabled"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors.get(0).field() + " " + errors.get(0).message(), errors);
        }
        String newStatus = status;
        Uni<String> url = patch.has("webhook_url") ? checkUrl(text(patch.get("webhook_url"))) : Uni.createFrom().nullItem();
        return url.flatMap(checked -> apply(teamId, id, name, checked, events, newStatus));
    }

    private Uni<Webhook> apply(UUID teamId, UUID id, String name, String url, ArrayNode events, String status) {
        return Panache.withTransaction(() -> get(teamId, id).invoke(w -> {
            if (name != null) {
                w.displayName = name;
            }
            if (url != null) {
                w.webhookUrl = url;
            }
            if (events != null) {
                w.webhookEvents = events;
            }
            if (status != null) {
                w.webhookStatus = status;
            }
            w.updatedAt = clock.instant();
        }));
    }

    @WithTransaction
    public Uni<Void> delete(UUID teamId, UUID id) {
        return get(teamId, id).flatMap(webhooks::delete);
    }

    /** A new secret; the old one stops signing at once (deliveries still to be attempted are signed with the new one). */
    @WithTransaction
    public Uni<Webhook> rotateSecret(UUID teamId, UUID id) {
        return get(teamId, id).invoke(w -> {
            w.webhookSecret = secret();
            w.updatedAt = clock.instant();
        });
    }

    @WithSession
    public Uni<Page<WebhookDelivery>> deliveries(UUID teamId, UUID webhookId, int page, int perPage) {
        return get(teamId, webhookId).flatMap(w -> deliveries.page(teamId, webhookId, page - 1, perPage)
                .flatMap(items -> deliveries.countFor(teamId, webhookId).map(total -> new Page<>(items, total))));
    }

    /** Sends a delivery's body again, as a new delivery with its own attempts. */
    public Uni<WebhookDelivery> resend(UUID teamId, UUID webhookId, UUID deliveryId) {
        return Panache.withTransaction(() -> get(teamId, webhookId).flatMap(w -> deliveries.findInTeam(teamId, webhookId, deliveryId)
                .onItem().ifNull().failWith(() -> ApiException.notFound("delivery"))
                .flatMap(original -> {
                    WebhookDelivery copy = delivery(w, original.taskId, original.eventType, original.payload);
                    copy.resendOf = original.resendOf != null ? original.resendOf : original.id;
                    return deliveries.persist(copy);
                }))).invoke(d -> dispatcher.nudge());
    }

    /**
     * Within the transaction that ended the task: one pending delivery per active webhook of the team that wants
     * this event. The dispatcher is nudged once that transaction commits (its sweep catches it anyway within a second).
     */
    /** The body of section 10: {event_type, task_id, task_status, task_output, task_error, timestamp}. */
    public String payload(UUID taskId, String status, JsonNode output, String error, Instant at, String eventType) {
        ObjectNode body = json.createObjectNode();
        body.put("event_type", eventType);
        body.put("task_id", taskId.toString());
        body.put("task_status", status);
        body.set("task_output", output == null ? json.nullNode() : output);
        body.put("task_error", error == null ? "" : error);
        body.put("timestamp", (at != null ? at : clock.instant()).toString());
        return body.toString();
    }

    private WebhookDelivery delivery(Webhook w, UUID taskId, String eventType, String payload) {
        WebhookDelivery d = new WebhookDelivery();
        d.id = UUID.randomUUID();
        d.webhookId = w.id;
        d.teamId = w.teamId;
        d.taskId = taskId;
        d.eventType = eventType;
        d.payload = payload;
        d.deliveryStatus = "pending";
        d.createdAt = clock.instant();
        d.nextAttemptAt = d.createdAt;
        return d;
    }

    /** Checks the URL (DNS included) on a worker thread, and comes back to the caller's context for the database. */
    private Uni<String> checkUrl(String raw) {
        Context context = Vertx.currentContext();
        Uni<String> checked = Uni.createFrom().item(() -> urls.require(raw).toString()).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return context == null ? checked : checked.emitOn(r -> context.runOnContext(v -> r.run()));
    }

    private static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("send the webhook as a JSON object", List.of());
        }
    }

    private static String text(JsonNode n) {
        return n == null || !n.isTextual() ? null : n.asText().strip();
    }

    private static String displayName(JsonNode n, List<FieldError> errors) {
        String name = text(n);
        if (name == null || name.isEmpty()) {
            errors.add(new FieldError("display_name", "is required (1-255 characters)"));
            return null;
        }
        if (name.length() > 255) {
            errors.add(new FieldError("display_name", "must be at most 255 characters"));
        }
        return name;
    }

    private ArrayNode events(JsonNode n, List<FieldError> errors) {
        if (n == null || !n.isArray() || n.isEmpty()) {
            errors.add(new FieldError("webhook_events", "must list at least one event: task.completed, task.failed"));
            return null;
        }
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode e : n) {
            if (!e.isTextual() || !EVENTS.contains(e.asText())) {
                errors.add(new FieldError("webhook_events", "has an unknown event " + e + "; the events are task.completed and task.failed"));
                return null;
            }
            seen.add(e.asText());
        }
        ArrayNode out = json.createArrayNode();
        seen.forEach(out::add);
        return out;
    }

    static String secret() {
        StringBuilder s = new StringBuilder("whsec_");
        for (int i = 0; i < 40; i++) {
            s.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return s.toString();
    }
}
