package io.cyberun.gateway.security;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.PrincipalIdentityProvider;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.service.IdentityService;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * A user's access token of the configured OIDC provider, verified by quarkus-oidc; the user is found (or created at
 * the first sign-in) by the token's subject, and acts in the team {@code X-Team-ID} names with their role there
 * (missing where the endpoint needs a team: 400; not a member: 403).
 */
@ApplicationScoped
public class UserTokenIdentityProvider implements IdentityProvider<UserTokenRequest> {
    private final IdentityService identities;
    private final TenantIdentityProvider oidc;

    public UserTokenIdentityProvider(IdentityService identities, TenantIdentityProvider oidc) {
        this.identities = identities;
        this.oidc = oidc;
    }

    @Override
    public Class<UserTokenRequest> getRequestType() {
        return UserTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UserTokenRequest request, AuthenticationRequestContext context) {
        return oidc.authenticate(new AccessTokenCredential(request.token()))
                .onFailure().transform(e -> GatewayAuthentication.refusal("the access token is invalid or expired"))
                .flatMap(verified -> user(request, verified))
                .map(principal -> PrincipalIdentityProvider.identity(principal, null));
    }

    private Uni<Principal> user(UserTokenRequest request, SecurityIdentity verified) {
        if (!(verified.getPrincipal() instanceof JsonWebToken jwt) || jwt.getSubject() == null) {
            return Uni.createFrom().failure(GatewayAuthentication.refusal("the access token names no subject"));
        }
        Object claim = jwt.getClaim("email_verified");
        boolean emailVerified = Boolean.TRUE.equals(claim) || "true".equals(String.valueOf(claim));
        return identities.userForToken(jwt.getSubject(), jwt.getClaim("email"), emailVerified, jwt.getClaim("name")).flatMap(user -> {
            String teamHeader = request.teamHeader();
            if (teamHeader == null || teamHeader.isBlank()) {
                return request.needsTeam()
                        ? Uni.createFrom().failure(new ApiException(ErrorCode.MISSING_TEAM, "send the X-Team-ID header with the id of the team to act in"))
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
}
