package io.cyberun.gateway.rest;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.auth.Role;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.cyberun.gateway.service.MemberService;
import io.cyberun.gateway.validation.AssignableRole;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/** Members of the current team. Anyone in the team lists them; admins and the owner change roles and remove. */
@Path("/api/v1/members")
public class MemberResource {
    private final MemberService members;
    private final GatewayPrincipal principal;

    public MemberResource(MemberService members, GatewayPrincipal principal) {
        this.members = members;
        this.principal = principal;
    }

    /** {@code member_role}; {@code role} is the same field under the name older clients send. */
    public record RoleBody(@NotNull(message = AssignableRole.MESSAGE) @AssignableRole @JsonAlias("role") String memberRole) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<MemberService.MemberList> list(@Valid @BeanParam Paging paging) {
        PageRequest page = paging.request();
        return members.list(principal.teamId(), page);
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/{userId}")
    public Uni<Success> changeRole(@PathParam("userId") String userId, @Valid @NotNull(message = "send a JSON body") RoleBody body) {
        return members.changeRole(principal.teamId(), principal.userId(), Ids.parse("userId", userId),
                AssignableRole.Validator.parse(body.memberRole()))
                .replaceWith(Success.TRUE);
    }

    @DELETE
    @RolesAllowed(Roles.VIEWER)
    @Path("/{userId}")
    public Uni<Success> remove(@PathParam("userId") String userId) {
        var target = Ids.parse("userId", userId);
        if (!target.equals(principal.userId())) {
            // Depends on whom the request names: anyone may leave, only admins remove someone else.
            principal.requireRole(Role.ADMIN);
        }
        return members.remove(principal.teamId(), principal.userId(), target).replaceWith(Success.TRUE);
    }

    @POST
    @RolesAllowed(Roles.VIEWER)
    @Path("/leave")
    public Uni<Success> leave() {
        return members.leave(principal.teamId(), principal.userId()).replaceWith(Success.TRUE);
    }
}
