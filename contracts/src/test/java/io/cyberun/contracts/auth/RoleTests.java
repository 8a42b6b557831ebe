package io.cyberun.contracts.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoleTests {
    @Test
    void rolesOrderFromOwnerToViewer() {
        assertThat(Role.OWNER.atLeast(Role.ADMIN)).isTrue();
        assertThat(Role.MEMBER.atLeast(Role.MEMBER)).isTrue();
        assertThat(Role.VIEWER.atLeast(Role.MEMBER)).isFalse();
        assertThat(CredentialKind.ofSecret("sk-abc")).isEqualTo(CredentialKind.INTEGRATION);
        assertThat(CredentialKind.ofSecret("eyJ...")).isNull();
    }
}
