package io.cyberun.contracts.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;

/**
 * The short-lived principal token the edges (gateway for clients, agent-hub for agents) send internal services
 * in {@link #HEADER}: a JWT signed with Ed25519 ({@code alg: EdDSA}). Only the edges hold the private key;
 * every service holds the public key, so a compromised internal service cannot mint principals.
 */
public final class PrincipalTokens {
    /** The header that carries the token between services. */
    public static final String HEADER = "X-Cyberun-Principal";
    /** How long a token is valid: long enough for one request and the calls it makes. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);
    /** Clock difference tolerated between services. */
    static final Duration SKEW = Duration.ofSeconds(5);

    private static final String HEADER_JSON = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Signed tokens are reused for this long (of their {@link #LIFETIME}): a signature costs far more than a request. */
    static final Duration REUSE = LIFETIME.dividedBy(2);
    /** Bound of each cache; a full cache is emptied (callers sign or verify again). */
    static final int CACHED = 10_000;

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
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

    private PrincipalTokens(PrivateKey privateKey, PublicKey publicKey, String issuer, Clock clock) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.issuer = issuer;
        this.clock = clock;
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
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", principal.subject());
        if (principal.teamId() != null) {
            claims.put("team", principal.teamId().toString());
        }
        if (principal.role() != null) {
            claims.put("role", principal.role().wireName());
        }
        claims.put("kind", principal.kind().wireName());
        if (principal.credentialId() != null) {
            claims.put("cid", principal.credentialId().toString());
        }
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(LIFETIME).getEpochSecond());
        try {
            String signingInput = B64.encodeToString(HEADER_JSON.getBytes(StandardCharsets.UTF_8)) + "."
                    + B64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(signature.sign());
        } catch (Exception e) {
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
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidPrincipalException("malformed principal token");
        }
        Map<String, Object> claims;
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(publicKey);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(B64D.decode(parts[2]))) {
                throw new InvalidPrincipalException("principal token signature does not verify");
            }
            Map<String, Object> header = JSON.readValue(B64D.decode(parts[0]), new TypeReference<>() { });
            if (!"EdDSA".equals(header.get("alg"))) {
                throw new InvalidPrincipalException("principal token algorithm must be EdDSA");
            }
            claims = JSON.readValue(B64D.decode(parts[1]), new TypeReference<>() { });
        } catch (InvalidPrincipalException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidPrincipalException("malformed principal token");
        }
        long exp = ((Number) claims.getOrDefault("exp", 0)).longValue();
        if (clock.instant().minus(SKEW).getEpochSecond() > exp) {
            throw new InvalidPrincipalException("principal token expired");
        }
        CredentialKind kind = CredentialKind.fromWire((String) claims.get("kind"));
        if (kind == null || claims.get("sub") == null) {
            throw new InvalidPrincipalException("principal token lacks kind or subject");
        }
        return new Verified(new Principal((String) claims.get("sub"), uuid(claims.get("team")), Role.fromWire((String) claims.get("role")),
                kind, uuid(claims.get("cid"))), exp);
    }

    private static UUID uuid(Object value) {
        return value == null ? null : UUID.fromString(value.toString());
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
