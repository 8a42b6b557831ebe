package io.cyberun.agenthub.security;

import io.cyberun.agenthub.client.GatewayClient;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialIntrospection;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/** Turns an agent key into an identity by asking the gateway, which alone holds credential hashes. */
@ApplicationScoped
public class AgentKeyIdentityProvider implements IdentityProvider<AgentKeyRequest> {
    private static final Logger LOG = Logger.getLogger(AgentKeyIdentityProvider.class);
    /** Identity attributes the endpoint reads. */
    public static final String TEAM = "cyberun.team";
    public static final String CREDENTIAL = "cyberun.credential";

    private final GatewayClient gateway;
    private final PrincipalTokens tokens;
    private final InstanceIdentity identity;

    public AgentKeyIdentityProvider(@RestClient GatewayClient gateway, PrincipalTokens tokens, InstanceIdentity identity) {
        this.gateway = gateway;
        this.tokens = tokens;
        this.identity = identity;
    }

    @Override
    public Class<AgentKeyRequest> getRequestType() {
        return AgentKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(AgentKeyRequest request, AuthenticationRequestContext context) {
        String serviceToken = tokens.sign(Principal.service(identity.serviceName()));
        return gateway.introspect(serviceToken, new CredentialIntrospection.Request(request.secret()))
                .onFailure().transform(e -> {
                    LOG.debugf("agent key refused: %s", e.getMessage());
                    return new AuthenticationFailedException("agent key refused");
                })
                .map(result -> {
                    if (result == null || result.kind() != CredentialKind.AGENT || result.teamId() == null) {
                        throw new AuthenticationFailedException("only ak- agent keys may connect agents");
                    }
                    return QuarkusSecurityIdentity.builder()
                            .setPrincipal(new QuarkusPrincipal(result.credentialId().toString()))
                            .addRole("agent")
                            .addAttribute(TEAM, result.teamId())
                            .addAttribute(CREDENTIAL, result.credentialId())
                            .build();
                });
    }
}
