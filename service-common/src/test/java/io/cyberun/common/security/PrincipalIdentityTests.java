package io.cyberun.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.quarkus.security.identity.SecurityIdentity;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The identity a verified principal becomes, once augmented ({@link TeamRoleAugmentor}): what @RolesAllowed sees. */
class PrincipalIdentityTests {
    static final UUID TEAM = UUID.randomUUID();

    @Test
    void aTeamRoleHoldsEveryWeakerRoleAndNoStrongerOne() {
        SecurityIdentity owner = augmented(user(Role.OWNER));
        assertThat(owner.getRoles()).containsExactlyInAnyOrder(Roles.OWNER, Roles.ADMIN, Roles.MEMBER, Roles.VIEWER);
        SecurityIdentity member = augmented(user(Role.MEMBER));
        assertThat(member.getRoles()).containsExactlyInAnyOrder(Roles.MEMBER, Roles.VIEWER);
        SecurityIdentity viewer = augmented(user(Role.VIEWER));
        assertThat(viewer.getRoles()).containsExactly(Roles.VIEWER);
        assertThat(viewer.hasRole(Roles.MEMBER)).isFalse();
    }

    @Test
    void agentsAndServicesHoldTheirKindAndNoTeamRole() {
        SecurityIdentity agent = TeamRoleAugmentor.expand(
                PrincipalIdentityProvider.identity(new Principal("gpu-01", TEAM, null, CredentialKind.AGENT, UUID.randomUUID()), "t"));
        assertThat(agent.getRoles()).containsExactly(Roles.AGENT);
        SecurityIdentity service = TeamRoleAugmentor.expand(PrincipalIdentityProvider.identity(Principal.service("scheduler-service"), "t"));
        assertThat(service.getRoles()).containsExactly(Roles.SERVICE);
        assertThat(service.getPrincipal().getName()).isEqualTo("scheduler-service");
    }

    @Test
    void thePrincipalAndItsTokenRideAlongForTheCallsMadeOnItsBehalf() {
        Principal p = user(Role.ADMIN);
        SecurityIdentity identity = PrincipalIdentityProvider.identity(p, "the-token");
        assertThat((Principal) identity.getAttribute(PrincipalIdentityProvider.PRINCIPAL)).isEqualTo(p);
        assertThat((String) identity.getAttribute(PrincipalIdentityProvider.TOKEN)).isEqualTo("the-token");
        assertThat((String) PrincipalIdentityProvider.identity(p, null).getAttribute(PrincipalIdentityProvider.TOKEN))
                .as("the gateway's own callers carry no token").isNull();
    }

    /** What the provider manager hands a resource: the provider's identity after the augmentor. */
    static SecurityIdentity augmented(Principal principal) {
        return new TeamRoleAugmentor().augment(PrincipalIdentityProvider.identity(principal, "token"), null).await().indefinitely();
    }

    static Principal user(Role role) {
        return new Principal(UUID.randomUUID().toString(), TEAM, role, CredentialKind.USER, null);
    }
}
