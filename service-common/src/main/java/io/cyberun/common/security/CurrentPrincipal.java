package io.cyberun.common.security;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.ErrorCode;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;

/**
 * The verified principal of the current request: the attributes {@link PrincipalIdentityProvider} put on the
 * request's security identity. Who may call a method is declared with {@code @RolesAllowed}; this gives the team
 * every query filters by, and the token to pass on.
 */
@RequestScoped
public class CurrentPrincipal {
    private final CurrentVertxRequest request;

    public CurrentPrincipal(CurrentVertxRequest request) {
        this.request = request;
    }

    /** The principal a route outside JAX-RS was authenticated with, or null. */
    public static Principal of(RoutingContext ctx) {
        SecurityIdentity identity = identity(ctx);
        return identity == null ? null : identity.getAttribute(PrincipalIdentityProvider.PRINCIPAL);
    }

    /** The identity authenticated for the request (before any route runs, on the protected paths). */
    private static SecurityIdentity identity(RoutingContext ctx) {
        return ctx != null && ctx.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
    }

    public Principal get() {
        Principal principal = of(request.getCurrent());
        if (principal == null) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "no principal on this request");
        }
        return principal;
    }

    /** The raw token, to pass on when this service calls another one on the caller's behalf. */
    public String token() {
        SecurityIdentity identity = identity(request.getCurrent());
        return identity == null ? null : identity.getAttribute(PrincipalIdentityProvider.TOKEN);
    }

    public boolean isPresent() {
        return of(request.getCurrent()) != null;
    }

    /** The caller's team; a request without one (a service call) cannot reach team resources. */
    public UUID teamId() {
        UUID team = get().teamId();
        if (team == null) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this request acts in no team");
        }
        return team;
    }

    /**
     * For the few checks that depend on the request's content (a multipart upload of a model needs admin, of an
     * input member): everything else declares its role with {@code @RolesAllowed}.
     */
    public void requireRole(Role minimum) {
        if (!get().hasRole(minimum)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "your role is too low: this needs " + minimum.wireName() + " or higher");
        }
    }
}
