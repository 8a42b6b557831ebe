package io.cyberun.gateway.rest;

import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.auth.Role;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.cyberun.gateway.service.InvitationService;
import io.cyberun.gateway.validation.AssignableRole;
import io.cyberun.gateway.validation.EmailAddress;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/** Invitations to the current team (admins and the owner), and accepting one (the invitee, no team needed). */
@Path("/api/v1/invitations")
public class InvitationResource {
    private final InvitationService invitations;
    private final GatewayPrincipal principal;

    public InvitationResource(InvitationService invitations, GatewayPrincipal principal) {
        this.invitations = invitations;
        this.principal = principal;
    }

    public record InviteBody(@NotNull(message = "must be an email address") @EmailAddress String emailAddress,
                             @AssignableRole String invitationRole) {
    }

    public record AcceptBody(@NotBlank(message = TOKEN) @Size(max = 200, message = TOKEN) String invitationToken) {
        static final String TOKEN = "must be the token from the invitation";
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    public Uni<InvitationService.Created> invite(@Valid @NotNull(message = "send a JSON body") InviteBody body) {
        return invitations.invite(principal.teamId(), principal.userId(), principal.role(), body.emailAddress().strip(),
                body.invitationRole() == null ? Role.MEMBER : AssignableRole.Validator.parse(body.invitationRole()));
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    public Uni<InvitationService.InvitationList> list(@Valid @BeanParam Paging paging) {
        PageRequest page = paging.request();
        return invitations.list(principal.teamId(), page);
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    public Uni<Success> revoke(@PathParam("id") String id) {
        return invitations.revoke(principal.teamId(), Ids.parse("id", id)).replaceWith(Success.TRUE);
    }

    @POST
    @Authenticated
    @Path("/accept")
    public Uni<InvitationService.Accepted> accept(@Valid @NotNull(message = "send a JSON body") AcceptBody body) {
        return invitations.accept(principal.userId(), body.invitationToken().strip());
    }
}
