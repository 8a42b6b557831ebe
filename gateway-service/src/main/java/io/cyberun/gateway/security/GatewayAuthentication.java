package io.cyberun.gateway.security;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.PrincipalIdentityProvider;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.routing.RouteTable;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Establishes who a public request comes from: the bearer credential is an sk- or dk- key
 * ({@link ApiKeyIdentityProvider}) or anything else a user's access token of the OIDC provider
 * ({@link UserTokenIdentityProvider}), and the identity providers make it the request's {@link SecurityIdentity}
 * (team role and every weaker one, the {@link Principal} as an attribute). {@code ApiGateway} asks for the caller with
 * {@link #caller} before it routes, rate-limits and forwards, so every refusal answers with the API's error body; the
 * gateway's own resources then read the identity with {@code @RolesAllowed}.
 */
@ApplicationScoped
public class GatewayAuthentication implements HttpAuthenticationMechanism {
    public static final String TEAM_HEADER = "X-Team-ID";
    /** Identity attribute: the revocation epoch a cached key's entry was looked up under (absent: looked up now). */
    static final String CACHED_UNDER = "cyberun.key-cached-under";
    static final String BEARER = "Bearer ";
    static final Pattern JWT_SHAPE = Pattern.compile("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$");

    private final IdentityProviderManager identities;

    public GatewayAuthentication(IdentityProviderManager identities) {
        this.identities = identities;
    }

    /**
     * Who a request comes from. {@code cachedUnder}: the revocation epoch of the cache entry the principal came from,
     * or {@code null} when it was looked up now; the caller compares it with the epoch its rate-limit call reads.
     */
    public record Caller(Principal principal, Long cachedUnder) {
    }

    /**
     * The caller of a public request; {@code cacheable}: an integration key may be answered from the key cache (the
     * caller then checks the revocation epoch, see {@link Caller}). Fails with the {@link ApiException} to answer.
     */
    public Uni<Caller> caller(RoutingContext ctx, boolean needsTeam, boolean cacheable) {
        AuthenticationRequest request;
        try {
            request = request(ctx, needsTeam, cacheable);
        } catch (ApiException e) {
            return Uni.createFrom().failure(e);
        }
        // The provider's own failure (a refusal, or a store that is down) is answered as it is, whether or not the
        // provider manager wrapped it.
        return identities.authenticate(request)
                .onFailure(e -> e instanceof AuthenticationFailedException && e.getCause() != null).transform(Throwable::getCause)
                .onFailure(AuthenticationFailedException.class).transform(e -> refusal("the credential was not accepted"))
                .map(identity -> new Caller(identity.getAttribute(PrincipalIdentityProvider.PRINCIPAL),
                        identity.getAttribute(CACHED_UNDER)));
    }

    /** When Quarkus asks (a gateway resource without the identity ApiGateway sets): the same identity, any refusal a 401. */
    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext ctx, IdentityProviderManager manager) {
        if (bearer(ctx) == null) {
            return Uni.createFrom().nullItem();
        }
        boolean needsTeam = RouteTable.match(ctx.normalizedPath()).map(RouteTable.Route::needsTeam).orElse(false);
        try {
            return manager.authenticate(request(ctx, needsTeam, true))
                    .onFailure(ApiException.class).transform(e -> new AuthenticationFailedException(e.getMessage(), e));
        } catch (ApiException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException(e.getMessage(), e));
        }
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"cyberun\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class, UserTokenRequest.class);
    }

    private static AuthenticationRequest request(RoutingContext ctx, boolean needsTeam, boolean cacheable) {
        String bearer = bearer(ctx);
        if (bearer == null) {
            throw refusal("missing credentials: send Authorization: Bearer <an sk- key, a dk- key or a user access token>");
        }
        if (CredentialKind.ofSecret(bearer) != null) {
            return new ApiKeyRequest(bearer, cacheable);
        }
        if (!JWT_SHAPE.matcher(bearer).matches()) {
            throw refusal("the credential is neither a Cyberun key (sk-, dk-) nor an access token");
        }
        return new UserTokenRequest(bearer, ctx.request().getHeader(TEAM_HEADER), needsTeam);
    }

    static String bearer(RoutingContext ctx) {
        return bearer(ctx.request().getHeader("Authorization"));
    }

    /** The token of an {@code Authorization: Bearer <token>} header (the scheme in any case), or null. */
    static String bearer(String header) {
        if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = header.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }

    static ApiException refusal(String message) {
        return new ApiException(ErrorCode.UNAUTHENTICATED, message);
    }
}
