package io.cyberun.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.auth.CredentialKind;
import org.junit.jupiter.api.Test;

/** How the gateway reads a credential before it checks it: the bearer token, and which kind of credential it is. */
class GatewayAuthenticationTests {

    @Test
    void theBearerTokenIsReadWhateverTheSchemesCaseAndNothingElseCounts() {
        assertThat(GatewayAuthentication.bearer("Bearer sk-abc")).isEqualTo("sk-abc");
        assertThat(GatewayAuthentication.bearer("bearer  sk-abc  ")).isEqualTo("sk-abc");
        assertThat(GatewayAuthentication.bearer("BEARER eyJ.a.b")).isEqualTo("eyJ.a.b");
        assertThat(GatewayAuthentication.bearer((String) null)).isNull();
        assertThat(GatewayAuthentication.bearer("Bearer ")).isNull();
        assertThat(GatewayAuthentication.bearer("Bearer    ")).isNull();
        assertThat(GatewayAuthentication.bearer("Basic dXNlcjpwYXNz")).isNull();
        assertThat(GatewayAuthentication.bearer("sk-abc")).isNull();
    }

    @Test
    void keysAreToldApartByPrefixAndAnythingElseMustLookLikeAJwt() {
        assertThat(CredentialKind.ofSecret("sk-" + "a".repeat(43))).isEqualTo(CredentialKind.INTEGRATION);
        assertThat(CredentialKind.ofSecret("dk-" + "a".repeat(43))).isEqualTo(CredentialKind.DEVICE);
        assertThat(CredentialKind.ofSecret("ak-" + "a".repeat(43))).isEqualTo(CredentialKind.AGENT);
        assertThat(CredentialKind.ofSecret("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")).isNull();
        assertThat(GatewayAuthentication.JWT_SHAPE.matcher("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").matches()).isTrue();
        assertThat(GatewayAuthentication.JWT_SHAPE.matcher("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").matches()).as("an unsigned token's shape")
                .isTrue();
        assertThat(GatewayAuthentication.JWT_SHAPE.matcher("not a token").matches()).isFalse();
        assertThat(GatewayAuthentication.JWT_SHAPE.matcher("a.b").matches()).isFalse();
    }
}
