package io.cyberun.gateway.repository;

import io.cyberun.gateway.model.Invitation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class InvitationRepository implements PanacheRepositoryBase<Invitation, UUID> {
    public Uni<Invitation> findInTeam(UUID teamId, UUID id) {
        return find("id = ?1 and teamId = ?2", id, teamId).firstResult();
    }

    public Uni<Invitation> pendingFor(UUID teamId, String email) {
        return find("teamId = ?1 and lower(email) = lower(?2)", teamId, email).firstResult();
    }

    public Uni<Invitation> byTokenHash(byte[] hash) {
        return find("tokenHash", hash).firstResult();
    }

    public Uni<List<Invitation>> page(UUID teamId, int pageIndex, int pageSize) {
        return find("teamId", Sort.by("createdAt").descending().and("id"), teamId).page(Page.of(pageIndex, pageSize)).list();
    }

    public Uni<Long> countInTeam(UUID teamId) {
        return count("teamId", teamId);
    }

    public Uni<Long> deleteTeam(UUID teamId) {
        return delete("teamId", teamId);
    }
}
