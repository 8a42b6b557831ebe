package io.cyberun.gateway.repository;

import io.cyberun.gateway.model.Credential;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class CredentialRepository implements PanacheRepositoryBase<Credential, UUID> {
    /** Credentials whose secret starts with this 12-character prefix (almost always one). */
    public Uni<List<Credential>> byPrefix(String keyPrefix) {
        return list("keyPrefix", keyPrefix);
    }

    public Uni<Credential> findInTeam(UUID teamId, UUID id) {
        return find("id = ?1 and teamId = ?2", id, teamId).firstResult();
    }

    /** The team's credentials, newest first, optionally of one kind. */
    public Uni<List<Credential>> page(UUID teamId, String kind, int pageIndex, int pageSize) {
        Sort newestFirst = Sort.by("createdAt").descending().and("id");
        return (kind == null ? find("teamId", newestFirst, teamId) : find("teamId = ?1 and kind = ?2", newestFirst, teamId, kind))
                .page(Page.of(pageIndex, pageSize)).list();
    }

    public Uni<Long> countInTeam(UUID teamId, String kind) {
        return kind == null ? count("teamId", teamId) : count("teamId = ?1 and kind = ?2", teamId, kind);
    }

    /** Ids of the team's active credentials. */
    public Uni<List<UUID>> activeIds(UUID teamId) {
        return list("teamId = ?1 and keyStatus = 'active'", teamId).map(l -> l.stream().map(c -> c.id).toList());
    }

    /** Revokes every active credential of the team (team deletion). */
    public Uni<Integer> revokeTeam(UUID teamId, Instant now) {
        return update("keyStatus = 'revoked', revokedAt = ?1 where teamId = ?2 and keyStatus = 'active'", now, teamId);
    }

    /** Stamps last use, only forward in time. */
    public Uni<Integer> touch(UUID id, Instant usedAt) {
        return update("lastUsedAt = ?1 where id = ?2 and (lastUsedAt is null or lastUsedAt < ?1)", usedAt, id);
    }
}
