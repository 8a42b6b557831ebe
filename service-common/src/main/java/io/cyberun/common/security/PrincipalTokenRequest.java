package io.cyberun.common.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A principal token an edge (gateway or agent-hub) signed, as a request to an internal service carries it. */
public class PrincipalTokenRequest extends BaseAuthenticationRequest {
    private final String token;

    public PrincipalTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
