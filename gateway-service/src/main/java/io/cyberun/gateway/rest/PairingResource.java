package io.cyberun.gateway.rest;

import io.cyberun.common.security.Roles;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.cyberun.gateway.service.DevicePairing;
import io.cyberun.gateway.validation.DisplayText;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/**
 * Device pairing: {@code start} and {@code poll} are anonymous (the device has no credential yet; rate-limited
 * per address), {@code confirm} takes the user's token and X-Team-ID.
 */
@Path("/api/v1/desktop/pair")
public class PairingResource {
    private final DevicePairing pairing;
    private final GatewayPrincipal principal;

    public PairingResource(DevicePairing pairing, GatewayPrincipal principal) {
        this.pairing = pairing;
        this.principal = principal;
    }

    public record ConfirmBody(String userCode, @DisplayText String deviceName) {
    }

    public record PollBody(String deviceCode) {
    }

    @POST
    @PermitAll
    @Path("/start")
    public Uni<DevicePairing.Started> start() {
        return pairing.start();
    }

    @POST
    @RolesAllowed(Roles.VIEWER)
    @Path("/confirm")
    public Uni<Success> confirm(@Valid ConfirmBody body) {
        return pairing.confirm(principal.teamId(), principal.userId(), body == null ? null : body.userCode(),
                body == null ? null : body.deviceName()).replaceWith(Success.TRUE);
    }

    @POST
    @PermitAll
    @Path("/poll")
    public Uni<DevicePairing.Poll> poll(PollBody body) {
        return pairing.poll(body == null ? null : body.deviceCode());
    }
}
