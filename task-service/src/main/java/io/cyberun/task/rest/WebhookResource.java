package io.cyberun.task.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.IdResponse;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.PageMeta;
import io.cyberun.task.model.Webhook;
import io.cyberun.task.model.WebhookDelivery;
import io.cyberun.task.webhook.NewWebhook;
import io.cyberun.task.webhook.WebhookService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The team's webhooks, admins only (a webhook's detail shows its secret): create, list, detail, update, delete,
 * rotate the secret, and each webhook's delivery log with a resend action.
 */
@Path("/api/v1/webhooks")
public class WebhookResource {
    private final WebhookService webhooks;
    private final CurrentPrincipal principal;

    public WebhookResource(WebhookService webhooks, CurrentPrincipal principal) {
        this.webhooks = webhooks;
        this.principal = principal;
    }

    public record WebhookView(UUID id, String displayName, String webhookUrl, String webhookSecret, JsonNode webhookEvents, String webhookStatus,
                              Instant createdAt, Instant updatedAt, Instant lastDeliveredAt) {
        static WebhookView of(Webhook w) {
            return new WebhookView(w.id, w.displayName, w.webhookUrl, w.webhookSecret, w.webhookEvents, w.webhookStatus, w.createdAt,
                    w.updatedAt, w.lastDeliveredAt);
        }
    }

    public record WebhookList(List<WebhookView> webhookList, PageMeta pageMeta) {
    }

    public record DeliveryView(UUID id, UUID webhookId, UUID taskId, String eventType, String deliveryStatus, int attempts,
                               Integer lastStatusCode, String lastError, Instant nextAttemptAt, Instant createdAt, Instant deliveredAt,
                               UUID resendOf, JsonNode payload) {
        static DeliveryView of(WebhookDelivery d) {
            JsonNode body;
            try {
                body = io.cyberun.contracts.json.CyberunJson.mapper().readTree(d.payload);
            } catch (Exception e) {
                body = null;
            }
            return new DeliveryView(d.id, d.webhookId, d.taskId, d.eventType, d.deliveryStatus, d.attempts, d.lastStatusCode, d.lastError,
                    d.nextAttemptAt, d.createdAt, d.deliveredAt, d.resendOf, body);
        }
    }

    public record DeliveryList(List<DeliveryView> deliveryList, PageMeta pageMeta) {
    }

    public record Secret(String webhookSecret) {
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    public Uni<IdResponse> create(@Valid @NotNull(message = "send the webhook as a JSON object") NewWebhook body) {
        return webhooks.create(principal.teamId(), body).map(w -> new IdResponse(w.id));
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    public Uni<WebhookList> list(@Valid @BeanParam Paging paging) {
        PageRequest page = paging.request();
        return webhooks.list(principal.teamId(), page.currentPage(), page.perPage())
                .map(p -> new WebhookList(p.items().stream().map(WebhookView::of).toList(), page.meta(p.total())));
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    public Uni<WebhookView> get(@PathParam("id") UUID id) {
        return webhooks.get(principal.teamId(), id).map(WebhookView::of);
    }

    /** Changes the fields given: display_name, webhook_url, webhook_events, webhook_status (active, disabled). */
    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(description = "The fields to change", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = WebhookView.class)))
    public Uni<IdResponse> update(@PathParam("id") UUID id, JsonNode patch) {
        return webhooks.update(principal.teamId(), id, patch).map(w -> new IdResponse(w.id));
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return webhooks.delete(principal.teamId(), id).replaceWith(Response.noContent().build());
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}/rotate-secret")
    public Uni<Secret> rotate(@PathParam("id") UUID id) {
        return webhooks.rotateSecret(principal.teamId(), id).map(w -> new Secret(w.webhookSecret));
    }

    /** The webhook's deliveries, newest first, with every attempt's outcome. */
    @GET
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}/deliveries")
    public Uni<DeliveryList> deliveries(@PathParam("id") UUID id, @Valid @BeanParam Paging paging) {
        PageRequest page = paging.request();
        return webhooks.deliveries(principal.teamId(), id, page.currentPage(), page.perPage())
                .map(p -> new DeliveryList(p.items().stream().map(DeliveryView::of).toList(), page.meta(p.total())));
    }

    /** Sends the delivery's body again as a new delivery (202 with its id). */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}/deliveries/{deliveryId}/resend")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "202", description = "Accepted: the new delivery id", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = IdResponse.class)))
    public Uni<Response> resend(@PathParam("id") UUID id, @PathParam("deliveryId") UUID deliveryId) {
        return webhooks.resend(principal.teamId(), id, deliveryId).map(d -> Response.accepted(new IdResponse(d.id)).build());
    }
}
