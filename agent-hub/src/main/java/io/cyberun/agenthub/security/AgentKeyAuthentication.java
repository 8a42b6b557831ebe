package io.cyberun.agenthub.security;

import io.cyberun.common.http.StreamingForward;
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
 * Reads {@code Authorization: Bearer ak-...} from a request. Any other credential gives no identity, so the
 * agent WebSocket (which requires one) refuses the upgrade with 401. When the key directory cannot answer
 * ({@link AgentKeys#unavailable()}) the refusal is 503 with {@code Retry-After}: the agent tries again instead of
 * taking its key for a bad one.
 */
@ApplicationScoped
public class AgentKeyAuthentication implements HttpAuthenticationMechanism {
    static final String PREFIX = "Bearer ak-";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String header = context.request().getHeader("Authorization");
        if (header == null || !header.startsWith(PREFIX)) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(new AgentKeyRequest(header.substring("Bearer ".length()).strip()))
                .onFailure(AgentKeys::unavailable).invoke(e -> context.put(AgentKeys.UNAVAILABLE, true));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"cyberun-agents\""));
    }

    /** A directory that cannot answer is a 503 the agent retries (ended here: the default failure handling would make it 401). */
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        if (!Boolean.TRUE.equals(context.get(AgentKeys.UNAVAILABLE))) {
            return HttpAuthenticationMechanism.super.sendChallenge(context);
        }
        context.response().putHeader("Retry-After", "5");
        StreamingForward.error(context.response(), 503,
                "agent keys cannot be checked right now (the key directory is not available); try again shortly");
        return Uni.createFrom().item(true);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(AgentKeyRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }
}
