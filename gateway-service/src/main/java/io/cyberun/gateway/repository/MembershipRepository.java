package io.cyberun.gateway.repository;

import io.cyberun.gateway.model.AppUser;
import io.cyberun.gateway.model.Membership;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class MembershipRepository implements PanacheRepositoryBase<Membership, Membership.Key> {
    public Uni<Membership> find(UUID teamId, UUID userId) {
        return findById(new Membership.Key(teamId, userId));
    }

    /** A member and the user behind the membership. */
    public record Member(Membership membership, AppUser user) {
    }

    /** The team's members, owner first, then by the time they joined. */
    public Uni<List<Member>> page(UUID teamId, int pageIndex, int pageSize) {
        return getSession().flatMap(s -> s.createSelectionQuery(
                        "select m, u from Membership m, AppUser u where u.id = m.id.userId and m.id.teamId = :team"
                                + " order by case when m.role = 'owner' then 0 else 1 end, m.createdAt, u.email", Object[].class)
                .setParameter("team", teamId)
                .setFirstResult(pageIndex * pageSize).setMaxResults(pageSize)
                .getResultList())
                .map(rows -> rows.stream().map(r -> new Member((Membership) r[0], (AppUser) r[1])).toList());
    }

    public Uni<Long> countInTeam(UUID teamId) {
        return count("id.teamId", teamId);
    }

    public Uni<Long> deleteTeam(UUID teamId) {
        return delete("id.teamId", teamId);
    }
}
