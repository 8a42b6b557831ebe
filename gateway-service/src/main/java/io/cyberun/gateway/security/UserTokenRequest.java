package io.cyberun.gateway.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A user's access token on a public request, with the team it acts in ({@code X-Team-ID}, may be null) and whether
 * the endpoint needs one.
 */
public class UserTokenRequest extends BaseAuthenticationRequest {
    private final String token;
    private final String teamHeader;
    private final boolean needsTeam;

    public UserTokenRequest(String token, String teamHeader, boolean needsTeam) {
        this.token = token;
        this.teamHeader = teamHeader;
        this.needsTeam = needsTeam;
    }

    public String token() {
        return token;
    }

    public String teamHeader() {
        return teamHeader;
    }

    public boolean needsTeam() {
        return needsTeam;
    }
}
