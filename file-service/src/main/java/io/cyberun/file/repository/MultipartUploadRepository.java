package io.cyberun.file.repository;

import io.cyberun.file.model.MultipartUpload;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class MultipartUploadRepository implements PanacheRepositoryBase<MultipartUpload, String> {
    public Uni<MultipartUpload> findInTeam(UUID teamId, String uploadId) {
        return find("uploadId = ?1 and teamId = ?2", uploadId, teamId).firstResult();
    }

    public Uni<List<MultipartUpload>> expiredBefore(Instant now, int limit) {
        return find("expiresAt < ?1", now).page(0, limit).list();
    }
}
