package io.cyberun.gateway.rest;

import io.cyberun.common.rest.IdResponse;
import io.cyberun.common.security.Roles;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.cyberun.gateway.service.TeamService;
import io.cyberun.gateway.validation.DisplayText;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.util.UUID;

/**
 * Teams of the signed-in user ({@code /api/v1/teams}) and the team named by X-Team-ID ({@code /teams/current}).
 * User tokens only.
 */
@Path("/api/v1/teams")
public class TeamResource {
    private final TeamService teams;
    private final GatewayPrincipal principal;

    public TeamResource(TeamService teams, GatewayPrincipal principal) {
        this.teams = teams;
        this.principal = principal;
    }

    public record NameBody(@NotNull(message = "must be 1-" + DisplayText.MAX + " characters") @DisplayText String displayName) {
    }

    public record TransferBody(String newOwnerId) {
    }

    @POST
    @Authenticated
    public Uni<IdResponse> create(@Valid @NotNull(message = "send a JSON body") NameBody body) {
        return teams.create(principal.userId(), body.displayName());
    }

    @GET
    @Authenticated
    public Uni<TeamService.TeamList> mine() {
        return teams.mine(principal.userId());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/current")
    public Uni<TeamService.TeamView> current() {
        return teams.current(principal.teamId(), principal.role());
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/current")
    public Uni<IdResponse> update(@Valid @NotNull(message = "send a JSON body") NameBody body) {
        return teams.rename(principal.teamId(), body.displayName());
    }

    @POST
    @RolesAllowed(Roles.OWNER)
    @Path("/current/transfer")
    public Uni<Success> transfer(TransferBody body) {
        UUID newOwner = Ids.parse("new_owner_id", body == null ? null : body.newOwnerId());
        return teams.transfer(principal.teamId(), principal.userId(), newOwner).replaceWith(Success.TRUE);
    }

    @DELETE
    @RolesAllowed(Roles.OWNER)
    @Path("/current")
    public Uni<Success> delete() {
        return teams.delete(principal.teamId()).replaceWith(Success.TRUE);
    }
}
