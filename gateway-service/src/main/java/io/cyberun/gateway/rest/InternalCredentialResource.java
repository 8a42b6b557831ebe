package io.cyberun.gateway.rest;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.auth.CredentialIntrospection;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.service.IdentityService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.List;
import java.util.UUID;

/** For internal services only (a signed service principal): what a raw credential belongs to. */
@Path("/internal/v1/credentials")
public class InternalCredentialResource {
    private final IdentityService identities;
    private final CurrentPrincipal principal;

    public InternalCredentialResource(IdentityService identities, CurrentPrincipal principal) {
        this.identities = identities;
        this.principal = principal;
    }

    @POST
    @RolesAllowed(Roles.SERVICE)
    @Path("/introspect")
    public Uni<CredentialIntrospection.Result> introspect(CredentialIntrospection.Request request) {
        String secret = request == null ? null : request.secret();
        return identities.introspect(secret).onItem().ifNull().failWith(() -> ApiException.notFound("credential"));
    }

    /** Which of these credentials are no longer active: agent-hub's periodic check of its open agent connections. */
    @POST
    @RolesAllowed(Roles.SERVICE)
    @Path("/inactive")
    public Uni<CredentialIntrospection.Ids> inactive(CredentialIntrospection.Ids request) {
        List<UUID> ids = request == null || request.credentialIds() == null ? List.of() : request.credentialIds();
        if (ids.size() > 10_000) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "at most 10000 ids per request");
        }
        return identities.inactive(ids).map(CredentialIntrospection.Ids::new);
    }
}
