package io.cyberun.common.security;

import io.cyberun.contracts.auth.Principal;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * The team-role hierarchy, owner &gt; admin &gt; member &gt; viewer: an identity holding a team role also holds every
 * weaker one, so {@code @RolesAllowed(Roles.VIEWER)} admits an admin. Quarkus runs it on every identity its provider
 * manager makes (the principal token in each service, keys and user tokens at the gateway); {@link #expand} is the same
 * step for an identity made outside the manager (the one the gateway hands its own resources).
 */
@ApplicationScoped
public class TeamRoleAugmentor implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return Uni.createFrom().item(expand(identity));
    }

    /** {@code identity} with the roles its principal's team role implies (unchanged when it has none, or has them). */
    public static SecurityIdentity expand(SecurityIdentity identity) {
        Principal principal = identity.isAnonymous() ? null : identity.getAttribute(PrincipalIdentityProvider.PRINCIPAL);
        if (principal == null || principal.role() == null) {
            return identity;
        }
        Set<String> implied = Roles.implied(principal.role());
        if (identity.getRoles().containsAll(implied)) {
            return identity;
        }
        return QuarkusSecurityIdentity.builder(identity).addRoles(implied).build();
    }
}
