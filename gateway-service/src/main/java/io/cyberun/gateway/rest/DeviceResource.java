package io.cyberun.gateway.rest;

import io.cyberun.contracts.auth.Principal;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.cyberun.gateway.service.CredentialManagement;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/** {@code POST /api/v1/auth/device/revoke}: a dk- key revokes itself and its companion ak- key (signing out a device). */
@Path("/api/v1/auth/device")
public class DeviceResource {
    private final CredentialManagement credentials;
    private final GatewayPrincipal principal;

    public DeviceResource(CredentialManagement credentials, GatewayPrincipal principal) {
        this.credentials = credentials;
        this.principal = principal;
    }

    @POST
    @Authenticated
    @Path("/revoke")
    public Uni<Success> revoke() {
        Principal p = principal.get();
        return credentials.revoke(p.teamId(), p.credentialId()).replaceWith(Success.TRUE);
    }
}
