package io.cyberun.gateway.repository;

import io.cyberun.gateway.model.AppUser;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<AppUser, UUID> {
    public Uni<AppUser> findBySubject(String subject) {
        return find("subject", subject).firstResult();
    }

    public Uni<AppUser> findByEmail(String email) {
        return find("lower(email) = lower(?1)", email).firstResult();
    }
}
