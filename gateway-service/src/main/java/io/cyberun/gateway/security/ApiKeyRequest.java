package io.cyberun.gateway.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** An sk-, dk- (or ak-) secret on a public request; {@code cacheable}: an integration key may be answered from the key cache. */
public class ApiKeyRequest extends BaseAuthenticationRequest {
    private final String secret;
    private final boolean cacheable;

    public ApiKeyRequest(String secret, boolean cacheable) {
        this.secret = secret;
        this.cacheable = cacheable;
    }

    public String secret() {
        return secret;
    }

    public boolean cacheable() {
        return cacheable;
    }
}
