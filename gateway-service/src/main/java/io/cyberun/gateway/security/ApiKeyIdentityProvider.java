package io.cyberun.gateway.security;

import io.cyberun.common.security.PrincipalIdentityProvider;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.gateway.service.IdentityService;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * sk- integration and dk- device keys, checked against the credential store (which holds only their hashes). An
 * integration key may be answered from the key cache: its identity then carries the revocation epoch the entry was
 * looked up under ({@link GatewayAuthentication#CACHED_UNDER}), for the caller to compare with the one its rate-limit
 * call reads. ak- agent keys are refused here: they only connect agents.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {
    private final IdentityService identities;
    private final KeyCache keys;

    public ApiKeyIdentityProvider(IdentityService identities, KeyCache keys) {
        this.identities = identities;
        this.keys = keys;
    }

    @Override
    public Class<ApiKeyRequest> getRequestType() {
        return ApiKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyRequest request, AuthenticationRequestContext context) {
        String secret = request.secret();
        boolean cached = request.cacheable() && CredentialKind.ofSecret(secret) == CredentialKind.INTEGRATION;
        KeyCache.Entry hit = cached ? keys.get(secret) : null;
        if (hit != null) {
            return Uni.createFrom().item(identity(hit.principal(), hit.epoch()));
        }
        long epoch = keys.epochBeforeLookup();
        return identities.keyPrincipal(secret).map(k -> {
            if (k == null) {
                keys.forget(secret);
                throw GatewayAuthentication.refusal("the key is invalid, revoked or expired");
            }
            if (k.principal().kind() == CredentialKind.AGENT) {
                throw GatewayAuthentication.refusal("agent keys (ak-) only connect agents; call the API with an sk- key or a user token");
            }
            if (cached) {
                keys.put(secret, k.principal(), epoch, k.expiresAt());
            }
            return identity(k.principal(), null);
        });
    }

    private static SecurityIdentity identity(Principal principal, Long cachedUnder) {
        SecurityIdentity identity = PrincipalIdentityProvider.identity(principal, null);
        return cachedUnder == null ? identity
                : QuarkusSecurityIdentity.builder(identity).addAttribute(GatewayAuthentication.CACHED_UNDER, cachedUnder).build();
    }
}
