package io.cyberun.common.security;

import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.InvalidPrincipalException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import jakarta.json.JsonString;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The short-lived principal token the edges (gateway for clients, agent-hub for agents) send internal services
 * in {@link #HEADER}: a JWT signed with Ed25519 ({@code alg: EdDSA}), built and verified with smallrye-jwt. Only the
 * edges hold the private key; every service holds the public key, so a compromised internal service cannot mint
 * principals.
 */
public final class PrincipalTokens {
    /** The header that carries the token between services. */
    public static final String HEADER = "X-Cyberun-Principal";
    /** How long a token is valid: long enough for one request and the calls it makes. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);
    /** Clock difference tolerated between services. */
    static final Duration SKEW = Duration.ofSeconds(5);

    /** Signed tokens are reused for this long (of their {@link #LIFETIME}): a signature costs far more than a request. */
    static final Duration REUSE = LIFETIME.dividedBy(2);
    /** Bound of each cache; a full cache is emptied (callers sign or verify again). */
    static final int CACHED = 10_000;

    private final PrivateKey privateKey;
    /** Tokens this edge signed, by principal, with when they were signed. */
    private final Map<Principal, Signed> signed = new ConcurrentHashMap<>();
    /** Tokens already verified, with their principal and expiry: a token's signature is checked once. */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private record Signed(String token, Instant at) {
    }

    private record Verified(Principal principal, long exp) {
    }

    private final String issuer;
    private final Clock clock;
    private final DefaultJWTParser parser;

    private PrincipalTokens(PrivateKey privateKey, PublicKey publicKey, String issuer, Clock clock) {
        this.privateKey = privateKey;
        this.issuer = issuer;
        this.clock = clock;
        JWTAuthContextInfo verification = new JWTAuthContextInfo(publicKey, null);
        verification.setSignatureAlgorithm(Set.of(SignatureAlgorithm.EDDSA));
        // Expiry is checked below against this service's clock, not by the parser against the system's.
        verification.setExpGracePeriodSecs(Integer.MAX_VALUE);
        this.parser = new DefaultJWTParser(verification);
    }

    /** For an edge service: signs and verifies. Keys are base64 DER (PKCS#8 private, X.509 public). */
    public static PrincipalTokens signing(String privateKeyBase64, String publicKeyBase64, String issuer, Clock clock) {
        return new PrincipalTokens(privateKey(privateKeyBase64), publicKey(publicKeyBase64), issuer, clock);
    }

    /** For an internal service: verifies only. */
    public static PrincipalTokens verifying(String publicKeyBase64, Clock clock) {
        return new PrincipalTokens(null, publicKey(publicKeyBase64), null, clock);
    }

    public boolean canSign() {
        return privateKey != null;
    }

    /** A token for the principal: one signed less than {@link #REUSE} ago, or a fresh one. */
    public String sign(Principal principal) {
        if (privateKey == null) {
            throw new IllegalStateException("this service holds no principal signing key");
        }
        Instant now = clock.instant();
        Signed earlier = signed.get(principal);
        if (earlier != null && earlier.at().plus(REUSE).isAfter(now) && !earlier.at().isAfter(now)) {
            return earlier.token();
        }
        String token = signNew(principal, now);
        if (signed.size() >= CACHED) {
            signed.clear();
        }
        signed.put(principal, new Signed(token, now));
        return token;
    }

    private String signNew(Principal principal, Instant now) {
        JwtClaimsBuilder claims = Jwt.issuer(issuer).subject(principal.subject())
                .claim("kind", principal.kind().wireName())
                .issuedAt(now).expiresAt(now.plus(LIFETIME));
        if (principal.teamId() != null) {
            claims.claim("team", principal.teamId().toString());
        }
        if (principal.role() != null) {
            claims.claim("role", principal.role().wireName());
        }
        if (principal.credentialId() != null) {
            claims.claim("cid", principal.credentialId().toString());
        }
        try {
            return claims.jws().algorithm(SignatureAlgorithm.EDDSA).sign(privateKey);
        } catch (RuntimeException e) {
            throw new IllegalStateException("signing a principal token failed", e);
        }
    }

    /** Checks signature and expiry and returns the principal. */
    public Principal verify(String token) {
        if (token == null || token.isBlank()) {
            throw new InvalidPrincipalException("no principal token");
        }
        Verified known = verified.get(token);
        if (known != null) {
            if (clock.instant().minus(SKEW).getEpochSecond() > known.exp()) {
                verified.remove(token);
                throw new InvalidPrincipalException("principal token expired");
            }
            return known.principal();
        }
        Verified fresh = verifyNew(token);
        if (verified.size() >= CACHED) {
            verified.clear();
        }
        verified.put(token, fresh);
        return fresh.principal();
    }

    private Verified verifyNew(String token) {
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException e) {
            throw new InvalidPrincipalException("principal token is malformed or its signature does not verify");
        }
        // Expiry against this service's clock (smallrye-jwt reads the system clock; tests set theirs).
        long exp = jwt.getExpirationTime();
        if (clock.instant().minus(SKEW).getEpochSecond() > exp) {
            throw new InvalidPrincipalException("principal token expired");
        }
        CredentialKind kind = CredentialKind.fromWire(text(jwt, "kind"));
        if (kind == null || jwt.getSubject() == null) {
            throw new InvalidPrincipalException("principal token lacks kind or subject");
        }
        return new Verified(new Principal(jwt.getSubject(), uuid(text(jwt, "team")), Role.fromWire(text(jwt, "role")),
                kind, uuid(text(jwt, "cid"))), exp);
    }

    private static String text(JsonWebToken jwt, String claim) {
        Object value = jwt.getClaim(claim);
        return value == null ? null : value instanceof JsonString s ? s.getString() : value.toString();
    }

    private static UUID uuid(String value) {
        return value == null ? null : UUID.fromString(value);
    }

    private static PrivateKey privateKey(String base64) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the principal private key is not a base64 PKCS#8 Ed25519 key", e);
        }
    }

    private static PublicKey publicKey(String base64) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the principal public key is not a base64 X.509 Ed25519 key", e);
        }
    }
}
