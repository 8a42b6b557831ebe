package io.cyberun.common.security;

import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.InvalidPrincipalException;
import io.cyberun.contracts.auth.Principal;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Verifies a principal token and makes it the request's identity: named by the principal's subject, holding its
 * team role ({@link TeamRoleAugmentor} adds the weaker ones), {@link Roles#AGENT} or {@link Roles#SERVICE}; the
 * {@link Principal} and the raw token ride along as attributes for {@link CurrentPrincipal}.
 */
@ApplicationScoped
public class PrincipalIdentityProvider implements IdentityProvider<PrincipalTokenRequest> {
    public static final String PRINCIPAL = "cyberun.principal";
    static final String TOKEN = "cyberun.principal-token";

    private final PrincipalTokens tokens;

    public PrincipalIdentityProvider(PrincipalTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Class<PrincipalTokenRequest> getRequestType() {
        return PrincipalTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(PrincipalTokenRequest request, AuthenticationRequestContext context) {
        Principal principal;
        try {
            principal = tokens.verify(request.token());
        } catch (InvalidPrincipalException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException(
                    "internal services accept only requests the gateway signed: " + e.getMessage()));
        }
        return Uni.createFrom().item(identity(principal, request.token()));
    }

    /**
     * The identity of a principal: its team role, {@link Roles#AGENT} or {@link Roles#SERVICE}; the weaker team roles
     * come from {@link TeamRoleAugmentor}. The gateway builds its callers' identities with it too ({@code token} null
     * there: it signs one per call).
     */
    public static SecurityIdentity identity(Principal principal, String token) {
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(principal.subject()))
                .addAttribute(PRINCIPAL, principal);
        if (token != null) {
            identity.addAttribute(TOKEN, token);
        }
        if (principal.role() != null) {
            identity.addRole(principal.role().wireName());
        }
        if (principal.kind() == CredentialKind.AGENT) {
            identity.addRole(Roles.AGENT);
        } else if (principal.isService()) {
            identity.addRole(Roles.SERVICE);
        }
        return identity.build();
    }
}
