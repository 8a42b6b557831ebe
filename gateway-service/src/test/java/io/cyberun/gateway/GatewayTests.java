package io.cyberun.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.cyberun.contracts.auth.AgentKeyDirectory;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.Namespace;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The public edge against the real Keycloak and PostgreSQL, with internal services replaced by an echo stub. */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "gateway"), @ResourceArg(name = "gateway", value = "true")})
@QuarkusTestResource(UpstreamStub.class)
class GatewayTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    private static JsonPath bootstrapped;

    /**
     * The test team, bootstrapped on first use: inside a test method RestAssured points at the test app (in
     * {@code @BeforeAll} it would still point at port 8080).
     */
    static synchronized JsonPath team() {
        if (bootstrapped == null) {
            bootstrapped = given().header("X-Cyberun-Admin-Token", CTX.adminToken()).contentType(ContentType.JSON)
                    .body("{\"team_name\":\"Gateway tests " + UUID.randomUUID() + "\",\"owner_email\":\"alice@example.com\"}")
                    .post("/api/v1/admin/bootstrap").then().statusCode(200).extract().jsonPath();
        }
        return bootstrapped;
    }

    static String sk() {
        return team().getString("integration_key");
    }

    static String userToken(String user, String password) {
        return given().baseUri(CTX.endpoints().oidcRealmUrl()).formParam("grant_type", "password")
                .formParam("client_id", "cyberun-dashboard").formParam("username", user).formParam("password", password)
                .post("/protocol/openid-connect/token").then().statusCode(200).extract().path("access_token");
    }

    @Test
    void bootstrapNeedsTheAdminTokenAndIssuesKeysShownOnce() {
        assertThat(sk()).startsWith("sk-").hasSize(46);
        assertThat(team().getString("agent_key")).startsWith("ak-");
        given().contentType(ContentType.JSON).body("{\"team_name\":\"x\",\"owner_email\":\"a@b.co\"}").post("/api/v1/admin/bootstrap")
                .then().statusCode(401).body("error_code", equalTo("unauthenticated"));
        given().header("X-Cyberun-Admin-Token", "wrong").contentType(ContentType.JSON).body("{}").post("/api/v1/admin/bootstrap")
                .then().statusCode(401);
        given().header("X-Cyberun-Admin-Token", CTX.adminToken()).contentType(ContentType.JSON).body("{\"owner_email\":\"nope\"}")
                .post("/api/v1/admin/bootstrap").then().statusCode(400).body("details.field", org.hamcrest.Matchers.hasItems("team_name", "owner_email"));
    }

    @Test
    void anIntegrationKeyActsInItsTeamWithItsRole() {
        given().auth().oauth2(sk()).get("/api/v1/me").then().statusCode(200)
                .body("kind", equalTo("integration")).body("role", equalTo("admin"))
                .body("team_id", equalTo(team().getString("team_id"))).body("credential_id", notNullValue());
    }

    @Test
    void missingUnknownAndAgentCredentialsAreRefusedWith401() {
        given().get("/api/v1/r/tasks").then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"))
                .body("error_message", containsString("missing credentials"));
        given().auth().oauth2("sk-" + "x".repeat(43)).get("/api/v1/r/tasks").then().statusCode(401)
                .body("error_message", containsString("invalid, revoked or expired"));
        given().auth().oauth2("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").get("/api/v1/r/tasks").then().statusCode(401)
                .body("error_message", containsString("access token is invalid"));
        given().auth().oauth2(team().getString("agent_key")).get("/api/v1/r/tasks").then().statusCode(401)
                .body("error_message", containsString("agent keys (ak-) only connect agents"));
        given().auth().oauth2("not-a-jwt").get("/api/v1/r/tasks").then().statusCode(401).body("error_code", equalTo("unauthenticated"));
    }

    @Test
    void eachPartOfTheApiTakesOnlyItsCredentialKinds() {
        given().auth().oauth2(sk()).contentType(ContentType.JSON).body("{}").post("/api/v1/workflows/import").then().statusCode(401)
                .body("error_message", containsString("a user token or a dk- key"));
        String alice = userToken("alice", CTX.endpoints().alicePassword());
        given().auth().oauth2(alice).header("X-Team-ID", team().getString("team_id")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/mcp").then().statusCode(401).body("error_message", containsString("sk- integration key"));
        given().auth().oauth2(sk()).get("/api/v1/nothing-here").then().statusCode(404).body("error_code", equalTo("not_found"));
    }

    @Test
    void aKeycloakUserActsInATeamChosenByTeamIdWhenAMember() {
        String alice = userToken("alice", CTX.endpoints().alicePassword());
        given().auth().oauth2(alice).get("/api/v1/me").then().statusCode(200).body("kind", equalTo("user")).body("team_id", nullValue());
        given().auth().oauth2(alice).header("X-Team-ID", team().getString("team_id")).get("/api/v1/me").then().statusCode(200)
                .body("role", equalTo("owner")).body("subject", equalTo(team().getString("owner_user_id")));
        given().auth().oauth2(alice).get("/api/v1/r/tasks").then().statusCode(400).body("error_code", equalTo("missing_team"));
        given().auth().oauth2(alice).header("X-Team-ID", "not-a-uuid").get("/api/v1/r/tasks").then().statusCode(400);
        String bob = userToken("bob", CTX.endpoints().bobPassword());
        given().auth().oauth2(bob).header("X-Team-ID", team().getString("team_id")).get("/api/v1/r/tasks").then().statusCode(403)
                .body("error_message", containsString("not a member"));
    }

    @Test
    void identityRequestsNameEachBadFieldAndWriteNothing() {
        String alice = userToken("alice", CTX.endpoints().alicePassword());
        String teamId = team().getString("team_id");
        for (String body : List.of("{}", "{\"invitation_token\": \"  \"}", "{\"invitation_token\": \"" + "x".repeat(201) + "\"}")) {
            given().auth().oauth2(alice).contentType(ContentType.JSON).body(body).post("/api/v1/invitations/accept").then().statusCode(400)
                    .body("error_code", equalTo("validation_failed")).body("details.field", equalTo(List.of("invitation_token")))
                    .body("details[0].message", equalTo("must be the token from the invitation"));
        }
        given().contentType(ContentType.JSON).body("{\"device_code\": \"" + "x".repeat(101) + "\"}").post("/api/v1/desktop/pair/poll")
                .then().statusCode(400).body("details.field", equalTo(List.of("device_code")));
        given().auth().oauth2(alice).header("X-Team-ID", teamId).contentType(ContentType.JSON)
                .body("{\"user_code\": \"AB-7K\", \"device_name\": \" \"}").post("/api/v1/desktop/pair/confirm").then().statusCode(400)
                .body("details.field", equalTo(List.of("device_name", "user_code")));
        // A code typed in lower case with a dash and spaces is a well-formed code: no pairing waits for it.
        given().auth().oauth2(alice).header("X-Team-ID", teamId).contentType(ContentType.JSON)
                .body("{\"user_code\": \"ab7k - pnq3\"}").post("/api/v1/desktop/pair/confirm").then().statusCode(404);
        given().auth().oauth2(alice).header("X-Team-ID", teamId).contentType(ContentType.JSON).body("{}")
                .put("/api/v1/members/" + UUID.randomUUID()).then().statusCode(400)
                .body("details.field", equalTo(List.of("member_role"))).body("details[0].message", equalTo("must be admin, member or viewer"));
        given().auth().oauth2(alice).header("X-Team-ID", teamId).contentType(ContentType.JSON).body("{\"role\": \"owner\"}")
                .put("/api/v1/members/" + UUID.randomUUID()).then().statusCode(400).body("details[0].message", containsString("transfer"));
        given().auth().oauth2(alice).header("X-Team-ID", teamId).queryParam("kind", "user").queryParam("current_page", "0")
                .get("/api/v1/credentials").then().statusCode(400).body("details.field", equalTo(List.of("current_page", "kind")));
        given().auth().oauth2(alice).header("X-Team-ID", teamId).queryParam("kind", " agent ").get("/api/v1/credentials").then().statusCode(200)
                .body("credentials.kind", everyItem(equalTo("agent"))).body("credentials.kind", hasItem("agent"));
        // role is member_role under its older name: valid, so the unknown member is what is wrong.
        given().auth().oauth2(alice).header("X-Team-ID", teamId).contentType(ContentType.JSON).body("{\"role\": \"viewer\"}")
                .put("/api/v1/members/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aForwardedRequestCarriesTheSignedPrincipalButNotTheCallersCredentials() {
        given().auth().oauth2(sk()).header("X-Team-ID", UUID.randomUUID().toString()).contentType(ContentType.JSON)
                .body("{\"parameters\":{}}").post("/api/v1/r/workflows/slug/demo/run?x=1").then().statusCode(200)
                .header("X-Upstream", "stub")
                .body("method", equalTo("POST")).body("path", equalTo("/api/v1/r/workflows/slug/demo/run")).body("query", equalTo("x=1"))
                .body("authorization", nullValue()).body("team_header", nullValue())
                .body("body", equalTo("{\"parameters\":{}}"))
                .body("principal.team_id", equalTo(team().getString("team_id"))).body("principal.kind", equalTo("integration"))
                .body("principal.role", equalTo("admin"));
        // MCP tools call the API with the caller's own key, so only mcp-service gets it.
        given().auth().oauth2(sk()).contentType(ContentType.JSON).body("{}").post("/api/v1/mcp").then().statusCode(200)
                .body("authorization", equalTo("Bearer " + sk()));
    }

    @Test
    void aBodyOverTheLimitIsRefusedAndAnUnreachableServiceIs503() {
        given().auth().oauth2(sk()).contentType(ContentType.JSON).body("x".repeat(2_200_000)).post("/api/v1/r/tasks").then()
                .statusCode(413).body("error_code", equalTo("payload_too_large"));
        given().auth().oauth2(userToken("alice", CTX.endpoints().alicePassword())).header("X-Team-ID", team().getString("team_id"))
                .get("/api/v1/models").then().statusCode(503)
                .body("error_code", equalTo("upstream_unavailable")).body("error_message", containsString("file-service"));
    }

    @Test
    void aTaskEventStreamReplaysTheLogAndClosesAfterTheTerminalEvent() {
        String task = UUID.randomUUID().toString();
        String stream = given().auth().oauth2(sk()).accept("text/event-stream").get("/api/v1/r/tasks/" + task + "/events")
                .then().statusCode(200).contentType(startsWith("text/event-stream")).extract().asString();
        assertThat(stream).contains("id: 1\nevent: status\n").contains("id: 2\nevent: completed\n");
        assertThat(stream.indexOf("event: status")).isLessThan(stream.indexOf("event: completed"));
        String resumed = given().auth().oauth2(sk()).header("Last-Event-ID", "1").get("/api/v1/r/tasks/" + task + "/events")
                .then().statusCode(200).extract().asString();
        assertThat(resumed).doesNotContain("id: 1\n").contains("id: 2\n");
        // A task task-service does not show this caller (another team's) is a 404, not an empty stream.
        given().auth().oauth2(sk()).accept("text/event-stream").get("/api/v1/r/tasks/" + UpstreamStub.MISSING_TASK + "/events")
                .then().statusCode(404).body("error_code", equalTo("not_found"));
        // ?after=N asks for the JSON log instead of a stream: forwarded to task-service.
        given().auth().oauth2(sk()).get("/api/v1/r/tasks/" + task + "/events?after=0").then().statusCode(200).body("last_seq", equalTo(2));
    }

    @Test
    void aReplayPageThatFailsMidStreamIsAnErrorEventAndTheStreamGoesOn() {
        String task = UpstreamStub.FLAKY_TASK_PREFIX + UUID.randomUUID().toString().substring(9);
        String stream = given().auth().oauth2(sk()).accept("text/event-stream").get("/api/v1/r/tasks/" + task + "/events")
                .then().statusCode(200).extract().asString();
        // The first page, then the error event (the next page failed once), then the rest after the retry.
        assertThat(stream).contains("id: 500\nevent: log\n").contains("event: error\n").contains("id: 501\nevent: completed\n");
        assertThat(stream.indexOf("id: 500\n")).isLessThan(stream.indexOf("event: error"));
        assertThat(stream.indexOf("event: error")).isLessThan(stream.indexOf("id: 501\n"));
        assertThat(stream.substring(stream.indexOf("event: error"))).contains("the stream goes on");
    }

    @Test
    void agentKeysArePublishedForAgentHubARevokedOneIsTombstonedAndALostDirectoryIsWrittenAgain() {
        Namespace ns = CTX.namespace();
        String prefix = ns.redisPrefix();
        String bootstrapKey = AgentKeyDirectory.entry(prefix, AgentKeyDirectory.hash(team().getString("agent_key")));
        AgentKeyDirectory.Entry entry = AgentKeyDirectory.Entry.decode((String) ns.redis("GET", bootstrapKey));
        assertThat(entry).isNotNull();
        assertThat(entry.activeAt(Instant.now())).isTrue();
        assertThat(entry.teamId()).hasToString(team().getString("team_id"));
        assertThat(ns.redis("HGET", AgentKeyDirectory.index(prefix), entry.credentialId().toString())).isEqualTo(bootstrapKey);
        assertThat(ns.redis("GET", AgentKeyDirectory.entry(prefix, AgentKeyDirectory.hash("ak-" + "0".repeat(43))))).isNull();

        String alice = userToken("alice", CTX.endpoints().alicePassword());
        JsonPath created = given().auth().oauth2(alice).header("X-Team-ID", team().getString("team_id")).contentType(ContentType.JSON)
                .body("{\"kind\":\"agent\",\"display_name\":\"directory test\"}").post("/api/v1/credentials")
                .then().statusCode(201).extract().jsonPath();
        String name = AgentKeyDirectory.entry(prefix, AgentKeyDirectory.hash(created.getString("raw_key")));
        assertThat(AgentKeyDirectory.Entry.decode((String) ns.redis("GET", name)).activeAt(Instant.now())).isTrue();
        given().auth().oauth2(alice).header("X-Team-ID", team().getString("team_id")).delete("/api/v1/credentials/" + created.getString("id"))
                .then().statusCode(204);
        assertThat(AgentKeyDirectory.Entry.decode((String) ns.redis("GET", name)).revoked()).isTrue();
        assertThat(Long.parseLong((String) ns.redis("TTL", name))).isPositive();
        assertThat(ns.redis("HGET", AgentKeyDirectory.index(prefix), created.getString("id"))).isNull();

        // Redis lost the directory: the gateway writes it again within its check interval, and not the revoked key.
        ns.redis("DEL", bootstrapKey, name, AgentKeyDirectory.ready(prefix));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ns.redis("GET", AgentKeyDirectory.ready(prefix)) != null);
        assertThat(AgentKeyDirectory.Entry.decode((String) ns.redis("GET", bootstrapKey)).activeAt(Instant.now())).isTrue();
        assertThat(ns.redis("GET", name)).isNull();
    }
}
