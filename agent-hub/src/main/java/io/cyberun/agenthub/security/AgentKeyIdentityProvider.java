package io.cyberun.agenthub.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns an agent key into an identity with the directory the gateway publishes ({@link AgentKeys}). */
@ApplicationScoped
public class AgentKeyIdentityProvider implements IdentityProvider<AgentKeyRequest> {
    /** Identity attributes the endpoint reads. */
    public static final String TEAM = "cyberun.team";
    public static final String CREDENTIAL = "cyberun.credential";

    private final AgentKeys keys;

    public AgentKeyIdentityProvider(AgentKeys keys) {
        this.keys = keys;
    }

    @Override
    public Class<AgentKeyRequest> getRequestType() {
        return AgentKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(AgentKeyRequest request, AuthenticationRequestContext context) {
        return keys.find(request.secret()).map(key -> {
            if (key == null) {
                throw new AuthenticationFailedException("agent key refused: unknown, revoked or expired");
            }
            return QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(key.credentialId().toString()))
                    .addRole("agent")
                    .addAttribute(TEAM, key.teamId())
                    .addAttribute(CREDENTIAL, key.credentialId())
                    .build();
        });
    }
}
