package io.cyberun.gateway.rest;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.config.GatewayConfig;
import io.cyberun.gateway.service.BootstrapService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code POST /api/v1/admin/bootstrap}: the first team, its owner and keys, for a new deployment. It takes the
 * deployment's admin token in {@code X-Cyberun-Admin-Token}; without one configured the endpoint does not exist.
 */
@Path("/api/v1/admin/bootstrap")
public class BootstrapResource {
    static final String ADMIN_HEADER = "X-Cyberun-Admin-Token";

    private final BootstrapService bootstrap;
    private final GatewayConfig config;

    public BootstrapResource(BootstrapService bootstrap, GatewayConfig config) {
        this.bootstrap = bootstrap;
        this.config = config;
    }

    @POST
    @PermitAll
    public Uni<BootstrapService.Result> bootstrap(@HeaderParam(ADMIN_HEADER) String adminToken, BootstrapService.Request request) {
        String expected = config.adminToken().filter(t -> !t.isBlank())
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "bootstrap is disabled: set CYBERUN_ADMIN_TOKEN to enable it"));
        if (adminToken == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), adminToken.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "send the deployment's admin token in " + ADMIN_HEADER);
        }
        return bootstrap.bootstrap(request == null ? BootstrapService.Request.EMPTY : request);
    }
}
