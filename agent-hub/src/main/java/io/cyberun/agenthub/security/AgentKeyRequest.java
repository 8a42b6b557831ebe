package io.cyberun.agenthub.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** An {@code ak-} secret presented on the agent WebSocket's upgrade request. */
public class AgentKeyRequest extends BaseAuthenticationRequest {
    private final String secret;

    public AgentKeyRequest(String secret) {
        this.secret = secret;
    }

    public String secret() {
        return secret;
    }
}
