package io.cyberun.common.security;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.ErrorCode;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;

/** The verified principal of the current request, as {@link PrincipalGuard} verified it. */
@RequestScoped
public class CurrentPrincipal {
    private final CurrentVertxRequest request;

    public CurrentPrincipal(CurrentVertxRequest request) {
        this.request = request;
    }

    public Principal get() {
        Principal principal = context() == null ? null : context().get(PrincipalGuard.PRINCIPAL_KEY);
        if (principal == null) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "no principal on this request");
        }
        return principal;
    }

    /** The raw token, to pass on when this service calls another one on the caller's behalf. */
    public String token() {
        return context() == null ? null : context().get(PrincipalGuard.TOKEN_KEY);
    }

    public boolean isPresent() {
        return context() != null && context().get(PrincipalGuard.PRINCIPAL_KEY) != null;
    }

    private RoutingContext context() {
        return request.getCurrent();
    }

    /** The caller's team; a request without one (a service call) cannot reach team resources. */
    public UUID teamId() {
        UUID team = get().teamId();
        if (team == null) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this request acts in no team");
        }
        return team;
    }

    /** Refuses the request unless the caller's role is at least {@code minimum}. */
    public void requireRole(Role minimum) {
        if (!get().hasRole(minimum)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "your role is too low: this needs " + minimum.wireName() + " or higher");
        }
    }

    /** Refuses the request unless it comes from an internal service. */
    public void requireService() {
        if (!get().isService()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "only internal services may call this");
        }
    }
}
