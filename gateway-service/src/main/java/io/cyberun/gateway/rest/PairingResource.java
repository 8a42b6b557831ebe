package io.cyberun.gateway.rest;

import io.cyberun.common.security.Roles;
import io.cyberun.gateway.security.GatewayPrincipal;
import io.cyberun.gateway.service.DevicePairing;
import io.cyberun.gateway.validation.DisplayText;
import io.cyberun.gateway.validation.UserCode;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
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

    public record ConfirmBody(@UserCode String userCode, @DisplayText String deviceName) {
    }

    public record PollBody(@NotBlank(message = DEVICE_CODE) @Size(max = 100, message = DEVICE_CODE) String deviceCode) {
        static final String DEVICE_CODE = "must be the device_code from /desktop/pair/start";
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
    public Uni<Success> confirm(@Valid @NotNull(message = "send a JSON body") ConfirmBody body) {
        return pairing.confirm(principal.teamId(), principal.userId(), UserCode.Validator.normalize(body.userCode()), body.deviceName())
                .replaceWith(Success.TRUE);
    }

    @POST
    @PermitAll
    @Path("/poll")
    public Uni<DevicePairing.Poll> poll(@Valid @NotNull(message = "send a JSON body") PollBody body) {
        return pairing.poll(body.deviceCode().strip());
    }
}
