package io.cyberun.contracts.auth;

import java.util.UUID;

/**
 * Who is calling an internal service, as the gateway (or agent-hub, for agents) established it. Every query of
 * an internal service filters by {@link #teamId()}.
 *
 * @param subject      user id, credential id, agent id or service name
 * @param teamId       the team the request acts in; {@code null} only for service calls that span teams
 * @param role         the caller's role in that team
 * @param credentialId the credential used, when one was
 */
public record Principal(String subject, UUID teamId, Role role, CredentialKind kind, UUID credentialId) {

    /** A service acting on its own behalf, across teams (for example agent-hub verifying an agent key). */
    public static Principal service(String serviceName) {
        return new Principal(serviceName, null, null, CredentialKind.SERVICE, null);
    }

    public boolean isService() {
        return kind == CredentialKind.SERVICE;
    }

    public boolean hasRole(Role minimum) {
        return role != null && role.atLeast(minimum);
    }
}
