package io.cyberun.agenthub.service;

import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import jakarta.enterprise.context.ApplicationScoped;

/** The principal token the hub signs for an agent it holds, when it calls file-service on the agent's behalf. */
@ApplicationScoped
public class AgentPrincipals {
    private final PrincipalTokens tokens;

    public AgentPrincipals(PrincipalTokens tokens) {
        this.tokens = tokens;
    }

    /** A token for the session's agent: its team, no team role, kind agent (so file-service gives it only its team's). */
    public String tokenFor(AgentSession s) {
        return tokens.sign(new Principal(s.agentId(), s.teamId(), null, CredentialKind.AGENT, s.credentialId()));
    }
}
