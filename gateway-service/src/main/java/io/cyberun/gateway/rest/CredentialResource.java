package io.cyberun.gateway.rest;

import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.Roles;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.cyberun.gateway.service.CredentialManagement;
import io.cyberun.gateway.validation.KeyKind;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * The team's credentials. User tokens only (a dk- key cannot mint keys that outlive a device revoke); anyone in
 * the team lists them (names are visible to members), admins and the owner create and revoke.
 */
@Path("/api/v1/credentials")
public class CredentialResource {
    private final CredentialManagement credentials;
    private final GatewayPrincipal principal;

    public CredentialResource(CredentialManagement credentials, GatewayPrincipal principal) {
        this.credentials = credentials;
        this.principal = principal;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "201", description = "Created: the secret, shown this once", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = CredentialManagement.Created.class)))
    public Uni<Response> create(@Valid @NotNull(message = "send a JSON body") CredentialManagement.CreateRequest body) {
        return credentials.create(principal.teamId(), principal.userId(), principal.role(), body)
                .map(created -> Response.status(Response.Status.CREATED).entity(created).build());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<CredentialManagement.CredentialList> list(@QueryParam("kind") @KeyKind String kind, @Valid @BeanParam Paging paging) {
        PageRequest page = paging.request();
        return credentials.list(principal.teamId(), kind == null || kind.isBlank() ? null : kind.strip(), page);
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/{credentialId}")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "204", description = "Revoked")
    public Uni<Response> revoke(@PathParam("credentialId") String credentialId) {
        return credentials.revoke(principal.teamId(), Ids.parse("credentialId", credentialId)).replaceWith(Response.noContent().build());
    }
}
