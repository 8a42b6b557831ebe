package io.cyberun.gateway.repository;

import io.cyberun.gateway.model.Team;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class TeamRepository implements PanacheRepositoryBase<Team, UUID> {
    /** A team of this name that the user owns. */
    public Uni<Team> findOwnedByName(UUID ownerId, String displayName) {
        return find("from Team t where t.displayName = ?1 and exists (from Membership m where m.id.teamId = t.id"
                + " and m.id.userId = ?2 and m.role = 'owner')", displayName, ownerId).firstResult();
    }
}
