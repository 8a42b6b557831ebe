package io.cyberun.gateway.service;

import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Role;
import io.cyberun.gateway.model.Credential;
import io.cyberun.gateway.repository.CredentialRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Issues and verifies credentials. A secret is its kind's prefix and 43 characters from a CSPRNG (about 256
 * bits); it is shown once, and only its SHA-256 and its first 12 characters are stored. A plain hash suffices
 * for secrets this random; the comparison is constant-time.
 */
@ApplicationScoped
public class CredentialService {
    static final int RANDOM_CHARS = 43;
    public static final int PREFIX_LENGTH = 12;

    private final CredentialRepository credentials;
    private final AgentKeyPublisher agentKeys;
    private final Clock clock;

    public CredentialService(CredentialRepository credentials, AgentKeyPublisher agentKeys, Clock clock) {
        this.credentials = credentials;
        this.agentKeys = agentKeys;
        this.clock = clock;
    }

    /** A new credential and its secret, which the caller shows once. */
    public record Issued(Credential credential, String secret) {
    }

    /** Creates a credential inside the caller's transaction (an agent key also goes into agent-hub's directory). */
    public Uni<Issued> issue(UUID teamId, CredentialKind kind, String displayName, Role role, UUID userId, UUID createdBy,
                             Integer expiresInDays) {
        String secret = kind.secretPrefix() + Secrets.random(RANDOM_CHARS);
        Instant now = clock.instant();
        Credential c = new Credential();
        c.id = UUID.randomUUID();
        c.teamId = teamId;
        c.kind = kind.wireName();
        c.displayName = displayName;
        c.keyPrefix = secret.substring(0, PREFIX_LENGTH);
        c.secretHash = hash(secret);
        c.role = role == null ? null : role.wireName();
        c.userId = userId;
        c.keyStatus = "active";
        c.createdBy = createdBy;
        c.createdAt = now;
        c.expiresAt = expiresInDays == null ? null : now.plus(Duration.ofDays(expiresInDays));
        return credentials.persist(c).call(agentKeys::issued).replaceWith(new Issued(c, secret));
    }

    /** The active, unexpired credential with this secret, or {@code null}. Needs an open session. */
    public Uni<Credential> verify(String secret) {
        if (secret == null || secret.length() < PREFIX_LENGTH || secret.length() > 200 || CredentialKind.ofSecret(secret) == null) {
            return Uni.createFrom().nullItem();
        }
        byte[] presented = hash(secret);
        Instant now = clock.instant();
        return credentials.byPrefix(secret.substring(0, PREFIX_LENGTH)).map(candidates -> {
            Credential match = null;
            for (Credential c : candidates) {
                // Every candidate is compared, in constant time, so timing says nothing about which one matched.
                if (MessageDigest.isEqual(c.secretHash, presented)) {
                    match = c;
                }
            }
            if (match == null || !"active".equals(match.keyStatus) || (match.expiresAt != null && !match.expiresAt.isAfter(now))) {
                return null;
            }
            return match;
        });
    }

    static byte[] hash(String secret) {
        return Secrets.sha256(secret);
    }
}
