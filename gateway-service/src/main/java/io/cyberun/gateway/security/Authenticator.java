package io.cyberun.gateway.security;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.service.IdentityService;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Establishes who a public request comes from. Keys (sk-, dk-, ak-) are checked against the credential store;
 * anything else must be an access token of the configured OIDC provider, verified with quarkus-oidc. Keys carry
 * their team; a user token acts in the team named by {@code X-Team-ID} (missing: 400; not a member: 403). The
 * gateway verifies programmatically, so every refusal answers with the API's error body.
 */
@ApplicationScoped
public class Authenticator {
    public static final String TEAM_HEADER = "X-Team-ID";
    static final String BEARER = "Bearer ";
    static final Pattern JWT_SHAPE = Pattern.compile("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$");

    private final IdentityService identities;
    private final TenantIdentityProvider oidc;
    private final KeyCache keys;

    public Authenticator(IdentityService identities, TenantIdentityProvider oidc, KeyCache keys) {
        this.identities = identities;
        this.oidc = oidc;
        this.keys = keys;
    }

    /**
     * Who a request comes from. {@code cachedUnder}: the revocation epoch of the cache entry the principal came from,
     * or {@code null} when it was looked up now; the caller compares it with the epoch its rate-limit call reads.
     */
    public record Caller(Principal principal, Long cachedUnder) {
    }

    /**
     * Who the request comes from; {@code cacheable}: an integration key may be answered from the key cache (the caller
     * then checks the revocation epoch, see {@link Caller}).
     */
    public Uni<Caller> authenticateCaller(RoutingContext ctx, boolean needsTeam, boolean cacheable) {
        String bearer = bearer(ctx);
        if (bearer == null) {
            return refuse("missing credentials: send Authorization: Bearer <an sk- key, a dk- key or a user access token>");
        }
        CredentialKind kind = CredentialKind.ofSecret(bearer);
        if (kind != null) {
            boolean cached = cacheable && kind == CredentialKind.INTEGRATION;
            KeyCache.Entry hit = cached ? keys.get(bearer) : null;
            if (hit != null) {
                return Uni.createFrom().item(new Caller(hit.principal(), hit.epoch()));
            }
            long epoch = keys.epochBeforeLookup();
            return identities.keyPrincipal(bearer).flatMap(k -> {
                if (k == null) {
                    keys.forget(bearer);
                    return refuse("the key is invalid, revoked or expired");
                }
                if (k.principal().kind() == CredentialKind.AGENT) {
                    return refuse("agent keys (ak-) only connect agents; call the API with an sk- key or a user token");
                }
                if (cached) {
                    keys.put(bearer, k.principal(), epoch, k.expiresAt());
                }
                return Uni.createFrom().item(new Caller(k.principal(), null));
            });
        }
        if (!JWT_SHAPE.matcher(bearer).matches()) {
            return refuse("the credential is neither a Cyberun key (sk-, dk-) nor an access token");
        }
        return oidc.authenticate(new AccessTokenCredential(bearer))
                .onFailure().transform(e -> new ApiException(ErrorCode.UNAUTHENTICATED, "the access token is invalid or expired"))
                .flatMap(identity -> user(ctx, identity, needsTeam))
                .map(p -> new Caller(p, null));
    }

    private Uni<Principal> user(RoutingContext ctx, SecurityIdentity identity, boolean needsTeam) {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getSubject() == null) {
            return refuse("the access token names no subject");
        }
        Object verified = jwt.getClaim("email_verified");
        boolean emailVerified = Boolean.TRUE.equals(verified) || "true".equals(String.valueOf(verified));
        return identities.userForToken(jwt.getSubject(), jwt.getClaim("email"), emailVerified, jwt.getClaim("name"))
                .flatMap(user -> {
                    String teamHeader = ctx.request().getHeader(TEAM_HEADER);
                    if (teamHeader == null || teamHeader.isBlank()) {
                        return needsTeam
                                ? Uni.createFrom().failure(new ApiException(ErrorCode.MISSING_TEAM,
                                        "send the X-Team-ID header with the id of the team to act in"))
                                : Uni.createFrom().item(new Principal(user.id.toString(), null, null, CredentialKind.USER, null));
                    }
                    UUID team;
                    try {
                        team = UUID.fromString(teamHeader.strip());
                    } catch (IllegalArgumentException e) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.INVALID_REQUEST, "X-Team-ID must be a team id (a UUID)"));
                    }
                    return identities.roleIn(team, user.id).map(role -> {
                        if (role == null) {
                            throw new ApiException(ErrorCode.FORBIDDEN, "you are not a member of team " + team);
                        }
                        return new Principal(user.id.toString(), team, role, CredentialKind.USER, null);
                    });
                });
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

    private static <T> Uni<T> refuse(String message) {
        return Uni.createFrom().failure(new ApiException(ErrorCode.UNAUTHENTICATED, message));
    }
}
