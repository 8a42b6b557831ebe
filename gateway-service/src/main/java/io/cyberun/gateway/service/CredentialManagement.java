package io.cyberun.gateway.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.contracts.api.PageMeta;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.gateway.model.Credential;
import io.cyberun.gateway.repository.CredentialRepository;
import io.cyberun.gateway.validation.DisplayText;
import io.cyberun.gateway.validation.IssuableKind;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The team's credentials as admins manage them: create sk- and ak- keys, list every kind, revoke. Device keys
 * come only from pairing; revoking one also revokes its companion agent key. Revocation applies on the key's
 * next request on every replica, since every request looks the key up.
 */
@ApplicationScoped
public class CredentialManagement {
    private final CredentialService credentials;
    private final CredentialRepository repository;
    private final Clock clock;

    private final RevocationBroadcast broadcast;

    public CredentialManagement(CredentialService credentials, CredentialRepository repository, RevocationBroadcast broadcast, Clock clock) {
        this.credentials = credentials;
        this.broadcast = broadcast;
        this.repository = repository;
        this.clock = clock;
    }

    /** A new key; {@code role} is checked against the kind and the creator's role in {@link #create}. */
    public record CreateRequest(@NotNull(message = "must be integration or agent") @IssuableKind String kind,
                                @NotNull(message = "must be 1-" + DisplayText.MAX + " characters") @DisplayText String displayName,
                                @Min(value = 1, message = DAYS) @Max(value = 365, message = DAYS) Integer expiresInDays,
                                String role) {
        static final String DAYS = "must be between 1 and 365, or omitted for a key that never expires";
    }

    public record Created(UUID id, String kind, String displayName, String keyPrefix, String rawKey, String role, Instant expiresAt) {
    }

    public record CredentialView(UUID id, String kind, String displayName, String keyPrefix, UUID userId, String role, String keyStatus,
                                 Instant createdAt, Instant lastUsedAt, Instant expiresAt, Instant revokedAt) {
        static CredentialView of(Credential c, Instant now) {
            String status = "active".equals(c.keyStatus) && c.expiresAt != null && !c.expiresAt.isAfter(now) ? "expired" : c.keyStatus;
            return new CredentialView(c.id, c.kind, c.displayName, c.keyPrefix, c.userId, c.role, status, c.createdAt, c.lastUsedAt,
                    c.expiresAt, c.revokedAt);
        }
    }

    public record CredentialList(List<CredentialView> credentials, PageMeta pageMeta) {
    }

    /** {@code request} as the resource validated it (kind, name, expiry); the role is checked here, against the creator's. */
    public Uni<Created> create(UUID teamId, UUID creatorId, Role creatorRole, CreateRequest request) {
        List<FieldError> errors = new ArrayList<>();
        CredentialKind kind = CredentialKind.fromWire(request.kind());
        String name = request.displayName();
        Integer days = request.expiresInDays();
        Role role = null;
        if (kind == CredentialKind.INTEGRATION) {
            role = request.role() == null ? Role.MEMBER : Role.fromWire(request.role());
            if (role == null || role == Role.OWNER) {
                errors.add(new FieldError("role", "must be admin, member or viewer"));
            } else if (!creatorRole.atLeast(role)) {
                errors.add(new FieldError("role", "cannot be above your own role"));
            }
        } else if (request.role() != null) {
            errors.add(new FieldError("role", "only integration keys have a role"));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiException.invalid("credential request is invalid", errors));
        }
        Role keyRole = role;
        return Panache.withTransaction(() -> credentials.issue(teamId, kind, name.strip(), keyRole, null, creatorId, days))
                .map(issued -> {
                    Credential c = issued.credential();
                    return new Created(c.id, c.kind, c.displayName, c.keyPrefix, issued.secret(), c.role, c.expiresAt);
                });
    }

    public Uni<CredentialList> list(UUID teamId, String kind, PageRequest page) {
        Instant now = clock.instant();
        return Panache.withSession(() -> repository.page(teamId, kind, page.currentPage() - 1, page.perPage())
                .flatMap(rows -> repository.countInTeam(teamId, kind)
                        .map(total -> new CredentialList(rows.stream().map(c -> CredentialView.of(c, now)).toList(), page.meta(total)))));
    }

    /** Revokes the credential (and a device key's companion agent key); revoking twice is a no-op. */
    public Uni<Void> revoke(UUID teamId, UUID id) {
        return Panache.withTransaction(() -> repository.findInTeam(teamId, id)
                        .onItem().ifNull().failWith(() -> ApiException.notFound("credential"))
                        .flatMap(c -> revokeWithCompanion(c, clock.instant())))
                .flatMap(broadcast::revoked);
    }

    /**
     * Inside a transaction: revokes the credential and, for a device key, its companion agent key. Returns the ids
     * to announce once the transaction committed.
     */
    public Uni<List<UUID>> revokeWithCompanion(Credential c, Instant now) {
        markRevoked(c, now);
        if (!CredentialKind.DEVICE.wireName().equals(c.kind) || c.companionId == null) {
            return Uni.createFrom().item(List.of(c.id));
        }
        return repository.findInTeam(c.teamId, c.companionId).map(companion -> {
            if (companion == null) {
                return List.of(c.id);
            }
            markRevoked(companion, now);
            return List.of(c.id, companion.id);
        });
    }

    private static void markRevoked(Credential c, Instant now) {
        if (!"revoked".equals(c.keyStatus)) {
            c.keyStatus = "revoked";
            c.revokedAt = now;
        }
    }
}
