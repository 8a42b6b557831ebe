package io.cyberun.gateway.security;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.routing.ApiGateway;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;

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

    /** The signed-in user behind a user token or a device key. */
    public UUID userId() {
        Principal p = get();
        if (p.kind() != CredentialKind.USER && p.kind() != CredentialKind.DEVICE) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "this endpoint takes a user token");
        }
        return UUID.fromString(p.subject());
    }

    /** The team the request acts in (X-Team-ID for user tokens). */
    public UUID teamId() {
        UUID team = get().teamId();
        if (team == null) {
            throw new ApiException(ErrorCode.MISSING_TEAM, "send the X-Team-ID header with the id of the team to act in");
        }
        return team;
    }

    public Role role() {
        return get().role();
    }

    /** Refuses the request (403) unless the caller's role is at least {@code minimum}. */
    public void requireRole(Role minimum) {
        if (!get().hasRole(minimum)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "your role is too low: this needs " + minimum.wireName() + " or higher");
        }
    }
}
