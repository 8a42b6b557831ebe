package io.cyberun.gateway.rest;

import io.cyberun.common.rest.ApiException;
import io.cyberun.gateway.repository.CredentialRepository;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.cyberun.gateway.service.CredentialManagement;
import io.cyberun.gateway.service.RevocationBroadcast;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.time.Clock;

/** {@code POST /api/v1/auth/device/revoke}: a dk- key revokes itself and its companion ak- key (signing out a device). */
@Path("/api/v1/auth/device")
public class DeviceResource {
    private final CredentialRepository credentials;
    private final CredentialManagement management;
    private final GatewayPrincipal principal;
    private final RevocationBroadcast broadcast;
    private final Clock clock;

    public DeviceResource(CredentialRepository credentials, CredentialManagement management, RevocationBroadcast broadcast,
                          GatewayPrincipal principal, Clock clock) {
        this.broadcast = broadcast;
        this.credentials = credentials;
        this.management = management;
        this.principal = principal;
        this.clock = clock;
    }

    @POST
    @Path("/revoke")
    public Uni<Success> revoke() {
        var p = principal.get();
        return Panache.withTransaction(() -> credentials.findInTeam(p.teamId(), p.credentialId())
                .onItem().ifNull().failWith(() -> ApiException.notFound("credential"))
                        .flatMap(c -> management.revokeWithCompanion(c, clock.instant())))
                .flatMap(broadcast::revoked).replaceWith(Success.TRUE);
    }
}
