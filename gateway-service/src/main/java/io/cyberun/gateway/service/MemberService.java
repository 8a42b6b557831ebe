package io.cyberun.gateway.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.contracts.api.PageMeta;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.model.Membership;
import io.cyberun.gateway.repository.MembershipRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Members of a team, with the rules of the product: the owner's role changes only by transfer, nobody changes
 * their own role, and anyone but the owner can leave. A change applies on the member's next request: every
 * request reads the membership.
 */
@ApplicationScoped
public class MemberService {
    private final MembershipRepository memberships;

    public MemberService(MembershipRepository memberships) {
        this.memberships = memberships;
    }

    public record MemberView(UUID userId, String emailAddress, String displayName, String memberRole, Instant joinedAt) {
    }

    public record MemberList(List<MemberView> memberList, PageMeta pageMeta) {
    }

    public Uni<MemberList> list(UUID teamId, PageRequest page) {
        return Panache.withSession(() -> memberships.page(teamId, page.currentPage() - 1, page.perPage())
                .flatMap(rows -> memberships.countInTeam(teamId).map(total -> new MemberList(rows.stream()
                        .map(r -> new MemberView(r.user().id, r.user().email, r.user().displayName, r.membership().role,
                                r.membership().createdAt))
                        .toList(), page.meta(total)))));
    }

    /** {@code role} as the resource validated it: admin, member or viewer. */
    public Uni<Void> changeRole(UUID teamId, UUID callerId, UUID userId, Role role) {
        if (callerId.equals(userId)) {
            return Uni.createFrom().failure(ApiException.forbidden("you cannot change your own role"));
        }
        return Panache.withTransaction(() -> member(teamId, userId).invoke(m -> {
            if (Role.OWNER.wireName().equals(m.role)) {
                throw ApiException.forbidden("the owner's role changes only by transferring ownership");
            }
            m.role = role.wireName();
        })).replaceWithVoid();
    }

    /** Removes another member; the credentials they issued stay (the product's rule). */
    public Uni<Void> remove(UUID teamId, UUID callerId, UUID userId) {
        if (callerId.equals(userId)) {
            return leave(teamId, callerId);
        }
        return Panache.withTransaction(() -> member(teamId, userId).call(m -> {
            if (Role.OWNER.wireName().equals(m.role)) {
                return Uni.createFrom().failure(ApiException.forbidden("the owner cannot be removed; the owner can transfer ownership"));
            }
            return memberships.delete(m);
        })).replaceWithVoid();
    }

    public Uni<Void> leave(UUID teamId, UUID userId) {
        return Panache.withTransaction(() -> member(teamId, userId).call(m -> {
            if (Role.OWNER.wireName().equals(m.role)) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT,
                        "the owner cannot leave the team: transfer ownership first, or delete the team"));
            }
            return memberships.delete(m);
        })).replaceWithVoid();
    }

    private Uni<Membership> member(UUID teamId, UUID userId) {
        return memberships.find(teamId, userId).onItem().ifNull().failWith(() -> ApiException.notFound("member"));
    }
}
