package io.cyberun.common.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads the principal token ({@value PrincipalTokens#HEADER}) the gateway or agent-hub signed for a request;
 * {@link PrincipalIdentityProvider} verifies it. A request without one has no identity, so the protected paths
 * ({@link ProtectedPaths}) answer it 401.
 */
@ApplicationScoped
public class PrincipalAuthentication implements HttpAuthenticationMechanism {
    static final String SCHEME = "cyberun-principal";

    private final ProtectedPaths paths;

    public PrincipalAuthentication(ProtectedPaths paths) {
        this.paths = paths;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String token = context.request().getHeader(PrincipalTokens.HEADER);
        if (token == null || token.isBlank()) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(new PrincipalTokenRequest(token.strip()));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, null, null));
    }

    /** On a protected path the refusal is this one, with the API's error body; elsewhere another mechanism's. */
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        if (!paths.covers(context.normalizedPath())) {
            return Uni.createFrom().item(false);
        }
        ProtectedPaths.unauthenticated(context,
                "internal services accept only requests the gateway signed: this one carries no valid principal token");
        return Uni.createFrom().item(true);
    }

    /** Before the default mechanisms (agent keys, OIDC), which send no error body. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(PrincipalTokenRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, PrincipalTokens.HEADER, SCHEME));
    }
}
