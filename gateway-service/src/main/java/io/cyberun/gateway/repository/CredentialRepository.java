package io.cyberun.gateway.repository;

import io.cyberun.gateway.model.Credential;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class CredentialRepository implements PanacheRepositoryBase<Credential, UUID> {
    /** Credentials whose secret starts with this 12-character prefix (almost always one). */
    public Uni<List<Credential>> byPrefix(String keyPrefix) {
        return list("keyPrefix", keyPrefix);
    }
}
