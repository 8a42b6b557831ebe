package io.cyberun.gateway.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.model.AppUser;
import io.cyberun.gateway.repository.MembershipRepository;
import io.cyberun.gateway.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.UUID;

/** Turns credentials and user tokens into the principal every internal service receives. */
@ApplicationScoped
public class IdentityService {
    private final CredentialService credentials;
    private final UserRepository users;
    private final MembershipRepository memberships;
    private final Clock clock;

    public IdentityService(CredentialService credentials, UserRepository users, MembershipRepository memberships, Clock clock) {
        this.credentials = credentials;
        this.users = users;
        this.memberships = memberships;
        this.clock = clock;
    }

    /**
     * The principal of an sk-, dk- or ak- secret, or {@code null} when the key is unknown, revoked or expired. An
     * integration key acts with its own role; a device key acts as its user, with the user's current role.
     */
    public Uni<Principal> principalForKey(String secret) {
        return keyPrincipal(secret).map(k -> k == null ? null : k.principal());
    }

    /** A key's principal and when the key expires ({@code null}: never). */
    public record KeyPrincipal(Principal principal, java.time.Instant expiresAt) {
    }

    /** As {@link #principalForKey}, with the key's expiry. */
    public Uni<KeyPrincipal> keyPrincipal(String secret) {
        return Panache.withSession(() -> credentials.verify(secret).flatMap(c -> {
            if (c == null) {
                return Uni.createFrom().nullItem();
            }
            CredentialKind kind = CredentialKind.fromWire(c.kind);
            if (kind == CredentialKind.DEVICE) {
                return memberships.find(c.teamId, c.userId).map(m -> m == null ? null
                        : new KeyPrincipal(new Principal(c.userId.toString(), c.teamId, Role.fromWire(m.role), kind, c.id), c.expiresAt));
            }
            Role role = c.role == null ? Role.MEMBER : Role.fromWire(c.role);
            return Uni.createFrom().item(new KeyPrincipal(new Principal(c.id.toString(), c.teamId, role, kind, c.id), c.expiresAt));
        }));
    }

    /**
     * The user behind an OIDC token, created at the first sign-in. A user created earlier by email (bootstrap,
     * invitation) is linked to the token's subject when the provider vouches for that email.
     */
    public Uni<AppUser> userForToken(String subject, String email, boolean emailVerified, String name) {
        return Panache.withTransaction(() -> users.findBySubject(subject).flatMap(found -> {
            if (found != null) {
                return Uni.createFrom().item(found);
            }
            Uni<AppUser> byEmail = email != null && emailVerified ? users.findByEmail(email) : Uni.createFrom().nullItem();
            return byEmail.flatMap(existing -> {
                if (existing != null && existing.subject == null) {
                    existing.subject = subject;
                    return Uni.createFrom().item(existing);
                }
                if (existing != null) {
                    return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT,
                            "the email " + email + " already belongs to another signed-in account"));
                }
                if (email == null || email.isBlank()) {
                    return Uni.createFrom().failure(new ApiException(ErrorCode.UNAUTHENTICATED,
                            "the token has no email claim; configure the provider to include it"));
                }
                AppUser user = new AppUser();
                user.id = UUID.randomUUID();
                user.subject = subject;
                user.email = email;
                user.displayName = name;
                user.createdAt = clock.instant();
                return users.persist(user);
            });
        }));
    }

    /** The user's role in the team, or {@code null} when not a member. */
    public Uni<Role> roleIn(UUID teamId, UUID userId) {
        return Panache.withSession(() -> memberships.find(teamId, userId).map(m -> m == null ? null : Role.fromWire(m.role)));
    }
}
