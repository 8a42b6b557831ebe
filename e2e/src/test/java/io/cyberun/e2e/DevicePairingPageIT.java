package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The device pairing page ({@code verification_uri} of {@code POST /api/v1/desktop/pair/start}), in Debian's
 * Chromium: a person opens it, signs in on the real Keycloak login page (authorization code with PKCE through the
 * public client cyberun-dashboard), picks a team and approves; the device's poll then receives its key, for that team.
 */
@ExtendWith(SharedStack.class)
class DevicePairingPageIT {
    static CyberunStack stack;
    static Path chromium;

    @BeforeAll
    static void setUp() throws Exception {
        stack = CyberunStack.shared();
        NodeClients.install();
        chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertThat(chromium).as("Debian's chromium is needed for the browser tests: bin/test installs it (apt-get install chromium)").isExecutable();
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPersonSignsInAtTheIssuerAndApprovesTheDeviceForTheTeamTheyPick() throws Exception {
        String teamName = "Pairing " + UUID.randomUUID().toString().substring(0, 8);
        String team = WalkingSkeletonIT.bootstrap(stack, teamName, "alice@example.com").path("team_id").asText();

        HttpResponse<String> started = post("/api/v1/desktop/pair/start", "{}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        JsonNode pairing = WalkingSkeletonIT.json(started.body());
        URI verification = URI.create(pairing.path("verification_uri").asText());
        assertThat(verification.getPath()).isEqualTo("/desktop/pair");
        assertThat(verification.getQuery()).isEqualTo("user_code=" + pairing.path("user_code").asText());
        // The deployment's public address is configured per installation; here the page is on the test's gateway.
        String page = stack.gateway.url() + verification.getPath() + "?" + verification.getRawQuery();

        Path screenshot = stack.root.resolve("e2e/target/screenshots/device-pairing.png");
        Files.createDirectories(screenshot.getParent());
        NodeClients.Run browser = NodeClients.node(List.of("pair-device.mjs", page, "alice", stack.ctx.endpoints().alicePassword(), team,
                screenshot.toString()), Map.of("CHROMIUM", chromium.toString()), 180);
        assertThat(browser.exit()).as(browser.describe()).isZero();
        JsonNode shown = browser.summary();
        assertThat(shown.path("login_page").asText()).as("signed in on the issuer's own page")
                .startsWith(stack.ctx.endpoints().oidcRealmUrl() + "/protocol/openid-connect/auth").contains("code_challenge_method=S256")
                .contains("client_id=cyberun-dashboard");
        assertThat(shown.path("page_errors")).as(shown.toString()).isEmpty();
        assertThat(shown.path("before").path("code").asText()).as("the code from the link is filled in").isEqualTo(pairing.path("user_code").asText());
        assertThat(shown.path("before").path("who").asText()).isEqualTo("alice@example.com");
        List<String> teams = new ArrayList<>();
        shown.path("before").path("teams").forEach(t -> teams.add(t.asText()));
        assertThat(teams).contains(team);
        assertThat(shown.path("state").asText()).as(shown.toString()).isEqualTo("approved");
        assertThat(shown.path("status").asText()).contains(teamName);
        assertThat(shown.path("form_visible").asBoolean()).as("the form is gone once approved").isFalse();
        for (String state : List.of("ready", "approved")) {
            List<String> serious = new ArrayList<>();
            shown.path("accessibility").path(state).forEach(v -> {
                if (List.of("serious", "critical").contains(v.path("impact").asText())) {
                    serious.add(v.toString());
                }
            });
            assertThat(serious).as("axe-core: serious or critical violations on the %s page", state).isEmpty();
        }
        assertThat(shown.path("address").asText()).as("the code and state left the address bar").isEqualTo(page);
        assertThat(Files.size(screenshot)).isGreaterThan(5_000);
        assertThat(shown.path("sign_out").path("at_login_form").asBoolean()).as("signing out ended the issuer's session: " + shown.path("sign_out"))
                .isTrue();
        assertThat(shown.path("sign_out").path("address").asText()).startsWith(stack.ctx.endpoints().oidcRealmUrl());

        HttpResponse<String> poll = post("/api/v1/desktop/pair/poll", "{\"device_code\":\"" + pairing.path("device_code").asText() + "\"}");
        assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
        JsonNode approved = WalkingSkeletonIT.json(poll.body());
        assertThat(approved.path("status").asText()).isEqualTo("approved");
        assertThat(approved.path("team_id").asText()).as("the team picked in the page").isEqualTo(team);
        HttpResponse<String> me = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/me"))
                .header("Authorization", "Bearer " + approved.path("raw_key").asText()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(WalkingSkeletonIT.json(me.body()).path("team_id").asText()).isEqualTo(team);
    }

    @Test
    void thePageNamesThePublicClientAndMayTalkOnlyToItselfTheIssuerAndTheStore() throws Exception {
        JsonNode config = WalkingSkeletonIT.json(WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/dashboard/config.json"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(config.path("client_id").asText()).isEqualTo("cyberun-dashboard");
        assertThat(config.path("issuer").asText()).isEqualTo(stack.ctx.endpoints().oidcRealmUrl());
        HttpResponse<String> page = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/desktop/pair?user_code=ABCD-EFGH"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        URI issuer = URI.create(stack.ctx.endpoints().oidcRealmUrl());
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'")
                .contains("connect-src 'self' " + issuer.getScheme() + "://" + issuer.getRawAuthority() + " http://127.0.0.1:9000;").contains("frame-ancestors 'none'");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/dashboard/pair.js\">");
        for (String asset : List.of("/dashboard/pair.js", "/dashboard/dashboard.css")) {
            assertThat(WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + asset)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).as(asset).isEqualTo(200);
        }
    }
}
