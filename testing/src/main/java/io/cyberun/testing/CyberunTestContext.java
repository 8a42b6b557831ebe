package io.cyberun.testing;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

/**
 * What a test JVM shares: its servers, its namespace, a principal signing key pair (tests act as the gateway when
 * they call an internal service) and an admin token.
 */
public final class CyberunTestContext {
    private static CyberunTestContext instance;

    private final TestInfrastructure infrastructure;
    private final Namespace namespace;
    private final String publicKey;
    private final String privateKey;
    private final String adminToken;
    private final PrincipalTokens tokens;

    private CyberunTestContext() {
        this.infrastructure = TestInfrastructure.get();
        this.namespace = infrastructure.namespace();
        try {
            KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            this.publicKey = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
            this.privateKey = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        byte[] token = new byte[24];
        new SecureRandom().nextBytes(token);
        this.adminToken = HexFormat.of().formatHex(token);
        this.tokens = PrincipalTokens.signing(privateKey, publicKey, "test", Clock.systemUTC());
    }

    public static synchronized CyberunTestContext get() {
        if (instance == null) {
            instance = new CyberunTestContext();
        }
        return instance;
    }

    public Namespace namespace() {
        return namespace;
    }

    public Endpoints endpoints() {
        return infrastructure.endpoints();
    }

    public String publicKey() {
        return publicKey;
    }

    public String privateKey() {
        return privateKey;
    }

    public String adminToken() {
        return adminToken;
    }

    /** A principal token as the gateway would sign it. */
    public String token(Principal principal) {
        return tokens.sign(principal);
    }

    /** A signed-in user with a role in a team. */
    public String userToken(UUID team, Role role) {
        return token(new Principal(UUID.randomUUID().toString(), team, role, CredentialKind.USER, null));
    }

    /** An internal service acting on its own behalf. */
    public String serviceToken(String service) {
        return token(Principal.service(service));
    }
}
