package io.cyberun.file.repository;

import io.cyberun.file.model.InputUpload;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class InputUploadRepository implements PanacheRepositoryBase<InputUpload, String> {
    /** The team's issued inputs among these keys. */
    public Uni<List<InputUpload>> inTeam(UUID teamId, List<String> keys) {
        return keys.isEmpty() ? Uni.createFrom().item(List.of()) : list("teamId = ?1 and storageKey in ?2", teamId, keys);
    }
}
