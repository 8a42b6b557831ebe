package io.cyberun.task.repository;

import io.cyberun.task.model.Webhook;
import io.cyberun.task.model.WebhookDelivery;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Webhooks; every query is scoped to a team. */
@ApplicationScoped
public class WebhookRepository implements PanacheRepositoryBase<Webhook, UUID> {

    public Uni<Webhook> findInTeam(UUID teamId, UUID id) {
        return find("id = ?1 and teamId = ?2", id, teamId).firstResult();
    }

    public Uni<List<Webhook>> page(UUID teamId, int pageIndex, int pageSize) {
        return find("teamId", Sort.by("createdAt").descending().and("id"), teamId).page(Page.of(pageIndex, pageSize)).list();
    }

    public Uni<Long> countInTeam(UUID teamId) {
        return count("teamId", teamId);
    }

    /** A webhook's deliveries, newest first. */
    @ApplicationScoped
    public static class Deliveries implements PanacheRepositoryBase<WebhookDelivery, UUID> {
        public Uni<List<WebhookDelivery>> page(UUID teamId, UUID webhookId, int pageIndex, int pageSize) {
            return find("teamId = ?1 and webhookId = ?2", Sort.by("createdAt").descending().and("id"), teamId, webhookId)
                    .page(Page.of(pageIndex, pageSize)).list();
        }

        public Uni<Long> countFor(UUID teamId, UUID webhookId) {
            return count("teamId = ?1 and webhookId = ?2", teamId, webhookId);
        }

        public Uni<WebhookDelivery> findInTeam(UUID teamId, UUID webhookId, UUID id) {
            return find("id = ?1 and teamId = ?2 and webhookId = ?3", id, teamId, webhookId).firstResult();
        }
    }
}
