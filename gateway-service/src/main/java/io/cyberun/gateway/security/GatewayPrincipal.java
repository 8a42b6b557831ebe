package io.cyberun.gateway.security;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.routing.ApiGateway;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.RequestScoped;

/** The caller of a gateway-owned public endpoint, as {@link ApiGateway} authenticated it. */
@RequestScoped
public class GatewayPrincipal {
    private final CurrentVertxRequest request;

    public GatewayPrincipal(CurrentVertxRequest request) {
        this.request = request;
    }

    public Principal get() {
        Principal p = request.getCurrent() == null ? null : request.getCurrent().get(ApiGateway.PRINCIPAL_KEY);
        if (p == null) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "missing credentials");
        }
        return p;
    }
}
