package io.cyberun.gateway.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.rest.IdResponse;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.model.Membership;
import io.cyberun.gateway.model.Team;
import io.cyberun.gateway.repository.CredentialRepository;
import io.cyberun.gateway.repository.InvitationRepository;
import io.cyberun.gateway.repository.MembershipRepository;
import io.cyberun.gateway.repository.TeamRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Teams: create, list, rename, transfer ownership, delete. */
@ApplicationScoped
public class TeamService {
    private final TeamRepository teams;
    private final MembershipRepository memberships;
    private final InvitationRepository invitations;
    private final CredentialRepository credentials;
    private final TeamCleanup cleanup;
    private final RevocationBroadcast broadcast;
    private final Clock clock;

    public TeamService(TeamRepository teams, MembershipRepository memberships, InvitationRepository invitations,
                       CredentialRepository credentials, TeamCleanup cleanup, RevocationBroadcast broadcast, Clock clock) {
        this.broadcast = broadcast;
        this.teams = teams;
        this.memberships = memberships;
        this.invitations = invitations;
        this.credentials = credentials;
        this.cleanup = cleanup;
        this.clock = clock;
    }

    public record TeamView(UUID id, String displayName, String memberRole, Instant createdAt, Instant updatedAt) {
        static TeamView of(Team t, String role) {
            return new TeamView(t.id, t.displayName, role, t.createdAt, t.updatedAt);
        }
    }

    public record TeamList(List<TeamView> teamList) {
    }

    /** A new team; the caller is its owner. */
    public Uni<IdResponse> create(UUID userId, String displayName) {
        String name = displayName.strip();
        Instant now = clock.instant();
        Team team = new Team();
        team.id = UUID.randomUUID();
        team.displayName = name;
        team.createdAt = now;
        team.updatedAt = now;
        Membership owner = new Membership();
        owner.id = new Membership.Key(team.id, userId);
        owner.role = Role.OWNER.wireName();
        owner.createdAt = now;
        return Panache.withTransaction(() -> teams.persist(team).call(teams::flush).call(() -> memberships.persist(owner)))
                .replaceWith(new IdResponse(team.id));
    }

    public Uni<TeamList> mine(UUID userId) {
        return Panache.withSession(() -> teams.ofUser(userId))
                .map(rows -> new TeamList(rows.stream().map(r -> TeamView.of(r.team(), r.role())).toList()));
    }

    public Uni<TeamView> current(UUID teamId, Role role) {
        return Panache.withSession(() -> live(teamId)).map(t -> TeamView.of(t, role.wireName()));
    }

    public Uni<IdResponse> rename(UUID teamId, String displayName) {
        String name = displayName.strip();
        return Panache.withTransaction(() -> live(teamId).invoke(t -> {
            t.displayName = name;
            t.updatedAt = clock.instant();
        })).replaceWith(new IdResponse(teamId));
    }

    /** Makes another member the owner; the old owner becomes admin. */
    public Uni<Void> transfer(UUID teamId, UUID ownerId, UUID newOwnerId) {
        if (ownerId.equals(newOwnerId)) {
            return Uni.createFrom().failure(new ApiException(ErrorCode.INVALID_REQUEST, "you already own this team"));
        }
        return Panache.withTransaction(() -> memberships.find(teamId, newOwnerId).flatMap(target -> {
            if (target == null) {
                return Uni.createFrom().failure(ApiException.notFound("member " + newOwnerId));
            }
            return memberships.find(teamId, ownerId).flatMap(owner -> {
                // One owner per team (a unique index): demote first, then promote.
                owner.role = Role.ADMIN.wireName();
                return memberships.flush().invoke(() -> target.role = Role.OWNER.wireName()).call(memberships::flush);
            });
        })).replaceWithVoid();
    }

    /**
     * Deletes the team: its members, invitations and credentials go at once (every key answers 401 on its next
     * request); task-service then cancels its open tasks, retried by {@link TeamCleanup} until it confirms.
     */
    public Uni<Void> delete(UUID teamId) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> live(teamId).invoke(t -> {
                    t.deletedAt = now;
                    t.updatedAt = now;
                })
                .flatMap(t -> credentials.activeIds(teamId))
                .call(() -> credentials.revokeTeam(teamId, now))
                .call(() -> invitations.deleteTeam(teamId))
                .call(() -> memberships.deleteTeam(teamId)))
                .flatMap(broadcast::revoked)
                .call(() -> cleanup.cancelOpenTasks(teamId).onFailure().recoverWithNull())
                .replaceWithVoid();
    }

    private Uni<Team> live(UUID teamId) {
        return teams.findLive(teamId).onItem().ifNull().failWith(() -> ApiException.notFound("team"));
    }
}
