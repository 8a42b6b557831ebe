package io.cyberun.gateway.repository;

import io.cyberun.gateway.model.Team;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class TeamRepository implements PanacheRepositoryBase<Team, UUID> {
    /** A team of this name that the user owns. */
    public Uni<Team> findOwnedByName(UUID ownerId, String displayName) {
        return find("from Team t where t.displayName = ?1 and t.deletedAt is null and exists (from Membership m where m.id.teamId = t.id"
                + " and m.id.userId = ?2 and m.role = 'owner')", displayName, ownerId).firstResult();
    }

    /** The team, unless it does not exist or was deleted. */
    public Uni<Team> findLive(UUID id) {
        return find("id = ?1 and deletedAt is null", id).firstResult();
    }

    /** A team and the caller's role in it. */
    public record TeamAndRole(Team team, String role) {
    }

    /** The teams a user belongs to, by name. */
    public Uni<List<TeamAndRole>> ofUser(UUID userId) {
        return getSession().flatMap(s -> s.createSelectionQuery(
                        "select t, m.role from Team t, Membership m where m.id.teamId = t.id and m.id.userId = :user"
                                + " and t.deletedAt is null order by lower(t.displayName), t.createdAt", Object[].class)
                .setParameter("user", userId).getResultList())
                .map(rows -> rows.stream().map(r -> new TeamAndRole((Team) r[0], (String) r[1])).toList());
    }

    /** Deleted teams whose open tasks task-service has not confirmed cancelled yet. */
    public Uni<List<Team>> awaitingTaskCancellation() {
        return list("deletedAt is not null and openTasksCancelledAt is null");
    }
}
