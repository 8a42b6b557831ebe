package io.cyberun.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.InvalidPrincipalException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PrincipalTokensTests {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final KeyPair keys = newKeys();
    private final PrincipalTokens gateway = PrincipalTokens.signing(priv(keys), pub(keys), "gateway", Clock.fixed(NOW, ZoneOffset.UTC));
    private final Principal alice = new Principal("user-1", UUID.randomUUID(), Role.ADMIN, CredentialKind.USER, null);

    @Test
    void aServiceVerifiesWhatTheGatewaySigned() {
        String token = gateway.sign(alice);
        PrincipalTokens service = PrincipalTokens.verifying(pub(keys), Clock.fixed(NOW.plusSeconds(30), ZoneOffset.UTC));
        assertThat(service.verify(token)).isEqualTo(alice);
        assertThat(service.canSign()).isFalse();
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = gateway.sign(alice);
        PrincipalTokens later = PrincipalTokens.verifying(pub(keys), Clock.fixed(NOW.plus(PrincipalTokens.LIFETIME).plusSeconds(10), ZoneOffset.UTC));
        assertThatThrownBy(() -> later.verify(token)).isInstanceOf(InvalidPrincipalException.class).hasMessageContaining("expired");
    }

    @Test
    void aTokenSignedWithAnotherKeyOrAlteredIsRefused() {
        KeyPair other = newKeys();
        String forged = PrincipalTokens.signing(priv(other), pub(other), "gateway", Clock.fixed(NOW, ZoneOffset.UTC)).sign(alice);
        PrincipalTokens service = PrincipalTokens.verifying(pub(keys), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> service.verify(forged)).isInstanceOf(InvalidPrincipalException.class);

        String[] parts = gateway.sign(alice).split("\\.");
        String escalated = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"admin\"", "\"owner\"").getBytes());
        assertThatThrownBy(() -> service.verify(parts[0] + "." + escalated + "." + parts[2])).isInstanceOf(InvalidPrincipalException.class);
        assertThatThrownBy(() -> service.verify("abc")).isInstanceOf(InvalidPrincipalException.class);
        assertThatThrownBy(() -> service.verify(null)).isInstanceOf(InvalidPrincipalException.class);
    }

    static KeyPair newKeys() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String priv(KeyPair k) {
        return Base64.getEncoder().encodeToString(k.getPrivate().getEncoded());
    }

    static String pub(KeyPair k) {
        return Base64.getEncoder().encodeToString(k.getPublic().getEncoded());
    }
}
