package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * A team built only through the public API, as its users would: bootstrapped for its owner (alice), then carol,
 * dave and erin invited as admin, member and viewer and accepting with their own Keycloak sign-in; integration
 * keys of each role; a device key for each member through device pairing.
 */
final class TeamFixture {
    static final String[] USERS = {"alice", "carol", "dave", "erin"};
    static final String[] ROLES = {"owner", "admin", "member", "viewer"};

    final CyberunStack stack;
    final JsonNode bootstrap;
    final String teamId;
    final Map<String, String> userTokens = new HashMap<>();
    final Map<String, String> userIds = new HashMap<>();

    TeamFixture(CyberunStack stack, String name, String... workflows) throws Exception {
        this.stack = stack;
        this.bootstrap = WalkingSkeletonIT.bootstrap(stack, name, "alice@example.com", workflows);
        this.teamId = bootstrap.path("team_id").asText();
        userTokens.put("alice", WalkingSkeletonIT.userToken(stack, "alice", stack.ctx.endpoints().alicePassword()));
    }

    String sk() {
        return bootstrap.path("integration_key").asText();
    }

    String ak() {
        return bootstrap.path("agent_key").asText();
    }

    String token(String user) {
        return userTokens.get(user);
    }

    /** Invites the user with the role (alice invites) and signs in as them to accept. */
    TeamFixture join(String user, String role) throws Exception {
        JsonNode invitation = ok(asUser("alice", "POST", "/api/v1/invitations",
                "{\"email_address\":\"" + user + "@example.com\",\"invitation_role\":\"" + role + "\"}"), 200);
        String token = userTokens.computeIfAbsent(user, u -> {
            try {
                return WalkingSkeletonIT.userToken(stack, u, stack.ctx.endpoints().bobPassword());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode accepted = ok(call("POST", "/api/v1/invitations/accept", token,
                "{\"invitation_token\":\"" + invitation.path("invitation_token").asText() + "\"}", Map.of()), 200);
        assertThat(accepted.path("team_id").asText()).isEqualTo(teamId);
        assertThat(accepted.path("member_role").asText()).isEqualTo(role);
        return this;
    }

    /** Every member's user id, from the member list. */
    TeamFixture loadUserIds() throws Exception {
        for (JsonNode m : ok(asUser("alice", "GET", "/api/v1/members", null), 200).path("member_list")) {
            userIds.put(m.path("email_address").asText().replace("@example.com", ""), m.path("user_id").asText());
        }
        return this;
    }

    /** A new integration key with that role, created by alice. */
    JsonNode integrationKey(String role, Integer expiresInDays) throws Exception {
        String body = "{\"kind\":\"integration\",\"display_name\":\"matrix " + role + "\",\"role\":\"" + role + "\""
                + (expiresInDays == null ? "" : ",\"expires_in_days\":" + expiresInDays) + "}";
        return ok(asUser("alice", "POST", "/api/v1/credentials", body), 201);
    }

    /** Pairs a device for the user, the way the CLI does; returns the poll's answer (raw_key, agent_key). */
    JsonNode pairDevice(String user, String deviceName) throws Exception {
        JsonNode start = ok(call("POST", "/api/v1/desktop/pair/start", null, null, Map.of()), 200);
        String poll = "{\"device_code\":\"" + start.path("device_code").asText() + "\"}";
        assertThat(ok(call("POST", "/api/v1/desktop/pair/poll", null, poll, Map.of()), 200).path("status").asText()).isEqualTo("pending");
        ok(asUser(user, "POST", "/api/v1/desktop/pair/confirm",
                "{\"user_code\":\"" + start.path("user_code").asText().toLowerCase().replace("-", " ") + "\",\"device_name\":\"" + deviceName + "\"}"), 200);
        JsonNode approved = ok(call("POST", "/api/v1/desktop/pair/poll", null, poll, Map.of()), 200);
        assertThat(approved.path("status").asText()).isEqualTo("approved");
        assertThat(approved.path("raw_key").asText()).startsWith("dk-");
        assertThat(approved.path("agent_key").asText()).startsWith("ak-");
        // Read once: the pairing is gone.
        assertThat(call("POST", "/api/v1/desktop/pair/poll", null, poll, Map.of()).statusCode()).isEqualTo(404);
        return approved;
    }

    HttpResponse<String> asUser(String user, String method, String path, String body) throws Exception {
        return call(method, path, token(user), body, Map.of("X-Team-ID", teamId));
    }

    static HttpResponse<String> call(String method, String path, String bearer, String body, Map<String, String> headers) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(CyberunStack.shared().gateway.url() + path))
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .timeout(java.time.Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return WalkingSkeletonIT.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.request().method() + " " + r.uri().getPath() + ": " + r.body()).isEqualTo(status);
        return r.body().isEmpty() ? null : WalkingSkeletonIT.json(r.body());
    }
}
