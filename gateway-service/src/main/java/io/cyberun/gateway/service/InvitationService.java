package io.cyberun.gateway.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.contracts.api.PageMeta;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.model.AppUser;
import io.cyberun.gateway.model.Invitation;
import io.cyberun.gateway.model.Membership;
import io.cyberun.gateway.repository.InvitationRepository;
import io.cyberun.gateway.repository.MembershipRepository;
import io.cyberun.gateway.repository.TeamRepository;
import io.cyberun.gateway.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Invitations: an admin invites an email with a role; the invitee signs in with that email and accepts with the
 * one-time token. This deployment sends no email, so the token is always returned to the inviter to pass on
 * (the product returns it "when email is disabled"). Only the token's SHA-256 is stored.
 */
@ApplicationScoped
public class InvitationService {
    static final String TOKEN_PREFIX = "inv-";

    private final InvitationRepository invitations;
    private final MembershipRepository memberships;
    private final UserRepository users;
    private final TeamRepository teams;
    private final Clock clock;
    private final Duration lifetime;

    public InvitationService(InvitationRepository invitations, MembershipRepository memberships, UserRepository users, TeamRepository teams,
                             Clock clock, @ConfigProperty(name = "cyberun.gateway.invitation-lifetime", defaultValue = "P7D") Duration lifetime) {
        this.invitations = invitations;
        this.memberships = memberships;
        this.users = users;
        this.teams = teams;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    public record Created(UUID id, String invitationToken, Instant expiresAt) {
    }

    public record InvitationView(UUID id, String emailAddress, String invitationRole, Instant createdAt, Instant expiresAt) {
        static InvitationView of(Invitation i) {
            return new InvitationView(i.id, i.email, i.role, i.createdAt, i.expiresAt);
        }
    }

    public record InvitationList(List<InvitationView> invitationList, PageMeta pageMeta) {
    }

    public record Accepted(UUID teamId, String memberRole) {
    }

    /** {@code email} and {@code role} as the resource validated them (an address; admin, member or viewer). */
    public Uni<Created> invite(UUID teamId, UUID inviterId, Role inviterRole, String email, Role role) {
        if (!inviterRole.atLeast(role)) {
            return Uni.createFrom().failure(ApiException.forbidden("you cannot invite someone with a role above your own"));
        }
        String token = TOKEN_PREFIX + Secrets.random(43);
        Instant now = clock.instant();
        return Panache.withTransaction(() -> users.findByEmail(email)
                .flatMap(user -> user == null ? Uni.createFrom().item(false) : memberships.find(teamId, user.id).map(m -> m != null))
                .flatMap(isMember -> {
                    if (isMember) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT, email + " is already a member of this team"));
                    }
                    return invitations.pendingFor(teamId, email);
                })
                .flatMap(pending -> {
                    if (pending != null && pending.expiresAt.isAfter(now)) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT,
                                email + " already has a pending invitation: revoke it first to send a new one"));
                    }
                    Uni<Void> clearExpired = pending == null ? Uni.createFrom().voidItem()
                            : invitations.delete(pending).call(invitations::flush);
                    Invitation i = new Invitation();
                    i.id = UUID.randomUUID();
                    i.teamId = teamId;
                    i.email = email;
                    i.role = role.wireName();
                    i.tokenHash = Secrets.sha256(token);
                    i.createdBy = inviterId;
                    i.createdAt = now;
                    i.expiresAt = now.plus(lifetime);
                    return clearExpired.call(() -> invitations.persist(i)).replaceWith(new Created(i.id, token, i.expiresAt));
                }))
                // Two admins inviting the same address at once: the unique index lets one through.
                .onFailure(InvitationService::isUniqueViolation).transform(e -> new ApiException(ErrorCode.CONFLICT,
                        email + " already has a pending invitation: revoke it first to send a new one"));
    }

    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException
                    || (t.getMessage() != null && t.getMessage().contains("23505"))) {
                return true;
            }
        }
        return false;
    }

    public Uni<InvitationList> list(UUID teamId, PageRequest page) {
        return Panache.withSession(() -> invitations.page(teamId, page.currentPage() - 1, page.perPage())
                .flatMap(rows -> invitations.countInTeam(teamId)
                        .map(total -> new InvitationList(rows.stream().map(InvitationView::of).toList(), page.meta(total)))));
    }

    public Uni<Void> revoke(UUID teamId, UUID id) {
        return Panache.withTransaction(() -> invitations.findInTeam(teamId, id)
                .onItem().ifNull().failWith(() -> ApiException.notFound("invitation"))
                .call(invitations::delete)).replaceWithVoid();
    }

    /** The signed-in user joins the team with the invited role, once; the invitation is used up. */
    public Uni<Accepted> accept(UUID userId, String token) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> invitations.byTokenHash(Secrets.sha256(token)).flatMap(inv -> {
            if (inv == null || !inv.expiresAt.isAfter(now)) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND,
                        "no such invitation: it was used, revoked or has expired; ask for a new one"));
            }
            return users.findById(userId).flatMap(user -> accept(inv, user, now));
        }));
    }

    private Uni<Accepted> accept(Invitation inv, AppUser user, Instant now) {
        if (!inv.email.equalsIgnoreCase(user.email)) {
            return Uni.createFrom().failure(ApiException.forbidden(
                    "this invitation is for another email address: sign in with the invited account"));
        }
        return teams.findLive(inv.teamId).flatMap(team -> {
            if (team == null) {
                return Uni.createFrom().failure(ApiException.notFound("team"));
            }
            return memberships.find(inv.teamId, user.id).flatMap(existing -> {
                Uni<Void> join;
                if (existing != null) {
                    join = Uni.createFrom().voidItem();
                } else {
                    Membership m = new Membership();
                    m.id = new Membership.Key(inv.teamId, user.id);
                    m.role = inv.role;
                    m.createdAt = now;
                    join = memberships.persist(m).replaceWithVoid();
                }
                String role = existing != null ? existing.role : inv.role;
                return join.call(() -> invitations.delete(inv)).replaceWith(new Accepted(inv.teamId, role));
            });
        });
    }
}
