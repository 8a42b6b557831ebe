package io.cyberun.gateway.repository;

import io.cyberun.gateway.model.Membership;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class MembershipRepository implements PanacheRepositoryBase<Membership, Membership.Key> {
    public Uni<Membership> find(UUID teamId, UUID userId) {
        return findById(new Membership.Key(teamId, userId));
    }
}
