package io.cyberun.task.repository;

import io.cyberun.task.model.Workflow;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Workflow queries; every one is scoped to a team. */
@ApplicationScoped
public class WorkflowRepository implements PanacheRepositoryBase<Workflow, UUID> {

    public Uni<Workflow> findInTeam(UUID teamId, UUID id) {
        return find("id = ?1 and teamId = ?2", id, teamId).firstResult();
    }

    public Uni<Workflow> findBySlug(UUID teamId, String slug) {
        return find("teamId = ?1 and workflowSlug = ?2", teamId, slug).firstResult();
    }

    public Uni<List<Workflow>> page(UUID teamId, int pageIndex, int pageSize) {
        return find("teamId", Sort.by("updatedAt").descending().and("id"), teamId)
                .page(Page.of(pageIndex, pageSize)).list();
    }

    public Uni<Long> countInTeam(UUID teamId) {
        return count("teamId", teamId);
    }
}
