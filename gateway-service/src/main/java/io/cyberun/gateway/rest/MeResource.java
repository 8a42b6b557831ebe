package io.cyberun.gateway.rest;

import io.cyberun.contracts.auth.Principal;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.UUID;

/** {@code GET /api/v1/me}: who the credential on this request is. */
@Path("/api/v1/me")
public class MeResource {
    private final GatewayPrincipal principal;

    public MeResource(GatewayPrincipal principal) {
        this.principal = principal;
    }

    public record Me(String subject, String kind, UUID teamId, String role, UUID credentialId) {
    }

    @GET
    @Authenticated
    public Me me() {
        Principal p = principal.get();
        return new Me(p.subject(), p.kind().wireName(), p.teamId(), p.role() == null ? null : p.role().wireName(), p.credentialId());
    }
}
