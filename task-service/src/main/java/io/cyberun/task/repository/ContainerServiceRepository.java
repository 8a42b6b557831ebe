package io.cyberun.task.repository;

import io.cyberun.task.model.ContainerService;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Container services; every public query is scoped to a team. */
@ApplicationScoped
public class ContainerServiceRepository implements PanacheRepositoryBase<ContainerService, UUID> {

    public Uni<ContainerService> findInTeam(UUID teamId, UUID id) {
        return find("id = ?1 and teamId = ?2", id, teamId).firstResult();
    }

    public Uni<ContainerService> findBySlug(UUID teamId, String slug) {
        return find("teamId = ?1 and serviceSlug = ?2", teamId, slug).firstResult();
    }

    public Uni<List<ContainerService>> page(UUID teamId, int pageIndex, int pageSize) {
        return find("teamId", Sort.by("serviceSlug"), teamId).page(Page.of(pageIndex, pageSize)).list();
    }

    public Uni<Long> countInTeam(UUID teamId) {
        return count("teamId", teamId);
    }

    /** Every team's services the scheduler must act on: those to run, and those still stopping. */
    public Uni<List<ContainerService>> desired() {
        return find("desiredState = ?1 or (desiredState = ?2 and serviceStatus <> 'stopped')", Sort.by("id"), ContainerService.RUN,
                ContainerService.STOP).list();
    }
}
