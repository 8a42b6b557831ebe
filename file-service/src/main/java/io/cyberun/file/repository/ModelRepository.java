package io.cyberun.file.repository;

import io.cyberun.file.model.Model;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class ModelRepository implements PanacheRepositoryBase<Model, UUID> {
    public Uni<Model> findInTeam(UUID teamId, UUID id) {
        return find("id = ?1 and teamId = ?2", id, teamId).firstResult();
    }

    public Uni<Model> atPlace(UUID teamId, String modelType, String modelPath) {
        return find("teamId = ?1 and modelType = ?2 and modelPath = ?3", teamId, modelType, modelPath).firstResult();
    }

    public Uni<Model> withKey(String storageKey) {
        return find("storageKey", storageKey).firstResult();
    }

    /** One page of the team's models, newest first, optionally of one status. */
    public Uni<List<Model>> page(UUID teamId, String status, int page, int perPage) {
        var query = status == null ? find("teamId", Sort.descending("createdAt").and("id"), teamId)
                : find("teamId = ?1 and modelStatus = ?2", Sort.descending("createdAt").and("id"), teamId, status);
        return query.page(Page.of(page - 1, perPage)).list();
    }

    public Uni<Long> countInTeam(UUID teamId, String status) {
        return status == null ? count("teamId", teamId) : count("teamId = ?1 and modelStatus = ?2", teamId, status);
    }

    public Uni<List<Model>> active(UUID teamId) {
        return list("teamId = ?1 and modelStatus = ?2", Sort.by("modelType").and("modelPath"), teamId, Model.ACTIVE);
    }
}
