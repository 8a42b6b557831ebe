package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.call;
import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Teams, members, invitations, credentials and device pairing through the real gateway, Keycloak sign-ins and the
 * real services: the product's rules, revocation across replicas, team deletion, rate limits, the internal
 * services' refusal of unsigned calls, and no secret in any service's log.
 */
@ExtendWith(SharedStack.class)
class IdentityIT {
    static CyberunStack stack;
    static ServiceProcess limited;
    /** Every secret this class saw; none may appear in a log. */
    static final List<String> SECRETS = new CopyOnWriteArrayList<>();

    static final String PARKED = "{\"workflow_slug\":\"parked\",\"display_name\":\"Parked\",\"tool_type\":\"exec\","
            + "\"workflow_json\":{\"command\":\"work\"},\"parameters\":[],\"required_labels\":[\"no-agent-has-this\"]}";

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
    }

    static TeamFixture team(String name) throws Exception {
        TeamFixture t = new TeamFixture(stack, name + " " + UUID.randomUUID(), PARKED);
        SECRETS.add(t.sk());
        SECRETS.add(t.ak());
        return t;
    }

    static String secret(JsonNode node, String field) {
        String s = node.path(field).asText();
        SECRETS.add(s);
        return s;
    }

    @Test
    void invitationsRoleChangesTransferRemovalAndLeavingFollowTheProductsRules() throws Exception {
        TeamFixture t = team("Rules").join("carol", "admin");
        // Inviting a member again, or someone already invited, is a conflict.
        assertThat(t.asUser("alice", "POST", "/api/v1/invitations", "{\"email_address\":\"carol@example.com\",\"invitation_role\":\"member\"}")
                .statusCode()).isEqualTo(409);
        JsonNode invite = ok(t.asUser("carol", "POST", "/api/v1/invitations", "{\"email_address\":\"Dave@Example.com\",\"invitation_role\":\"member\"}"), 200);
        String token = secret(invite, "invitation_token");
        assertThat(t.asUser("alice", "POST", "/api/v1/invitations", "{\"email_address\":\"dave@example.com\"}").statusCode()).isEqualTo(409);
        assertThat(ok(t.asUser("alice", "GET", "/api/v1/invitations", null), 200).path("invitation_list").findValuesAsText("email_address"))
                .containsExactly("Dave@Example.com");
        // Only the invited account can accept, once.
        String erin = WalkingSkeletonIT.userToken(stack, "erin", stack.ctx.endpoints().bobPassword());
        String dave = WalkingSkeletonIT.userToken(stack, "dave", stack.ctx.endpoints().bobPassword());
        String accept = "{\"invitation_token\":\"" + token + "\"}";
        assertThat(call("POST", "/api/v1/invitations/accept", erin, accept, Map.of()).statusCode()).isEqualTo(403);
        assertThat(ok(call("POST", "/api/v1/invitations/accept", dave, accept, Map.of()), 200).path("member_role").asText()).isEqualTo("member");
        assertThat(call("POST", "/api/v1/invitations/accept", dave, accept, Map.of()).statusCode()).isEqualTo(404);
        t.userTokens.put("dave", dave);
        t.loadUserIds();
        String aliceId = t.userIds.get("alice");
        String carolId = t.userIds.get("carol");
        String daveId = t.userIds.get("dave");

        // Roles: nobody changes their own; the owner's changes only by transfer; "owner" cannot be given.
        assertThat(t.asUser("carol", "PUT", "/api/v1/members/" + carolId, "{\"member_role\":\"viewer\"}").statusCode()).isEqualTo(403);
        assertThat(t.asUser("carol", "PUT", "/api/v1/members/" + aliceId, "{\"member_role\":\"admin\"}").statusCode()).isEqualTo(403);
        JsonNode bad = ok(t.asUser("carol", "PUT", "/api/v1/members/" + daveId, "{\"member_role\":\"owner\"}"), 400);
        assertThat(bad.path("details").get(0).path("field").asText()).isEqualTo("member_role");
        assertThat(t.asUser("dave", "PUT", "/api/v1/members/" + carolId, "{\"member_role\":\"viewer\"}").statusCode()).isEqualTo(403);
        // A role change applies on the member's next request, without signing in again.
        assertThat(t.asUser("dave", "POST", "/api/v1/r/workflows/slug/parked/run", "{\"parameters\":{}}").statusCode()).isEqualTo(202);
        ok(t.asUser("carol", "PUT", "/api/v1/members/" + daveId, "{\"member_role\":\"viewer\"}"), 200);
        assertThat(ok(t.asUser("dave", "GET", "/api/v1/teams/current", null), 200).path("member_role").asText()).isEqualTo("viewer");
        assertThat(t.asUser("dave", "POST", "/api/v1/r/workflows/slug/parked/run", "{\"parameters\":{}}").statusCode()).isEqualTo(403);

        // Removing a member ends their access at once, device keys included; keys they issued stay.
        ok(t.asUser("carol", "PUT", "/api/v1/members/" + daveId, "{\"member_role\":\"admin\"}"), 200);
        String daveSk = secret(ok(t.asUser("dave", "POST", "/api/v1/credentials", "{\"kind\":\"integration\",\"display_name\":\"dave's ci\"}"), 201),
                "raw_key");
        String daveDk = secret(t.pairDevice("dave", "dave's laptop"), "raw_key");
        assertThat(call("GET", "/api/v1/me", daveDk, null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(t.asUser("carol", "DELETE", "/api/v1/members/" + aliceId, null).statusCode()).isEqualTo(403);
        ok(t.asUser("carol", "DELETE", "/api/v1/members/" + daveId, null), 200);
        assertThat(t.asUser("dave", "GET", "/api/v1/teams/current", null).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/v1/me", daveDk, null, Map.of()).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/r/tasks", daveSk, null, Map.of()).statusCode()).isEqualTo(200);

        // Transfer: only the owner; the old owner becomes admin. Then the old owner can leave, the new one cannot.
        assertThat(t.asUser("carol", "POST", "/api/v1/teams/current/transfer", "{\"new_owner_id\":\"" + carolId + "\"}").statusCode()).isEqualTo(403);
        assertThat(t.asUser("alice", "POST", "/api/v1/teams/current/transfer", "{\"new_owner_id\":\"" + daveId + "\"}").statusCode()).isEqualTo(404);
        assertThat(ok(t.asUser("alice", "POST", "/api/v1/teams/current/transfer", "{\"new_owner_id\":\"" + carolId + "\"}"), 200)
                .path("is_success").asBoolean()).isTrue();
        JsonNode members = ok(t.asUser("carol", "GET", "/api/v1/members", null), 200);
        assertThat(members.path("member_list").get(0).path("user_id").asText()).isEqualTo(carolId);
        assertThat(members.path("member_list").get(0).path("member_role").asText()).isEqualTo("owner");
        assertThat(members.path("page_meta").path("total_count").asInt()).isEqualTo(2);
        assertThat(ok(t.asUser("alice", "GET", "/api/v1/teams/current", null), 200).path("member_role").asText()).isEqualTo("admin");
        assertThat(t.asUser("alice", "DELETE", "/api/v1/teams/current", null).statusCode()).isEqualTo(403);
        assertThat(t.asUser("carol", "POST", "/api/v1/members/leave", null).statusCode()).isEqualTo(409);
        ok(t.asUser("alice", "POST", "/api/v1/members/leave", null), 200);
        assertThat(t.asUser("alice", "GET", "/api/v1/teams/current", null).statusCode()).isEqualTo(403);
        // Renaming: 1-100 characters.
        assertThat(t.asUser("carol", "PUT", "/api/v1/teams/current", "{\"display_name\":\"" + "x".repeat(101) + "\"}").statusCode()).isEqualTo(400);
        assertThat(ok(t.asUser("carol", "PUT", "/api/v1/teams/current", "{\"display_name\":\"Renamed\"}"), 200).path("id").asText()).isEqualTo(t.teamId);
    }

    @Test
    void concurrentInvitationsOfOneAddressCreateOneAndAnswerTheRest409() throws Exception {
        TeamFixture t = team("Race");
        List<java.util.concurrent.CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return t.asUser("alice", "POST", "/api/v1/invitations", "{\"email_address\":\"racer@example.com\"}").statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<Integer> statuses = answers.stream().map(java.util.concurrent.CompletableFuture::join).toList();
        assertThat(statuses).containsOnly(200, 409);
        assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(1);
        assertThat(ok(t.asUser("alice", "GET", "/api/v1/invitations", null), 200).path("page_meta").path("total_count").asInt()).isEqualTo(1);
    }

    @Test
    void deletingATeamCancelsItsOpenTasksAndRevokesEveryKey() throws Exception {
        TeamFixture t = team("Doomed");
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(ok(call("POST", "/api/v1/r/workflows/slug/parked/run", t.sk(), "{\"parameters\":{}}", Map.of()), 202).path("task_id").asText());
        }
        String created = secret(ok(t.asUser("alice", "POST", "/api/v1/credentials", "{\"kind\":\"agent\",\"display_name\":\"gpu box\"}"), 201), "raw_key");
        assertThat(created).startsWith("ak-");
        ok(t.asUser("alice", "DELETE", "/api/v1/teams/current", null), 200);
        assertThat(call("GET", "/api/v1/r/tasks", t.sk(), null, Map.of()).statusCode()).isEqualTo(401);
        assertThat(t.asUser("alice", "GET", "/api/v1/teams/current", null).statusCode()).isEqualTo(403);
        assertThat(stack.ns.query("gateway", "select count(*) from credential where team_id = ? and key_status = 'active'", UUID.fromString(t.teamId)))
                .containsExactly("0");
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stack.ns.query("task",
                "select status from task where team_id = ?", UUID.fromString(t.teamId))).hasSize(3).containsOnly("cancelled"));
        assertThat(stack.ns.query("gateway", "select open_tasks_cancelled_at is not null from team where id = ?", UUID.fromString(t.teamId)))
                .containsExactly("t");
    }

    @Test
    void devicePairingIssuesADeviceKeyAndItsAgentKeyOnceAndTheDeviceCanSignItselfOut() throws Exception {
        TeamFixture t = team("Pairing").join("dave", "member");
        JsonNode start = ok(call("POST", "/api/v1/desktop/pair/start", null, null, Map.of()), 200);
        SECRETS.add(start.path("device_code").asText());
        String userCode = start.path("user_code").asText();
        assertThat(userCode).matches("[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}");
        assertThat(start.path("expires_in").asInt()).isEqualTo(300);
        assertThat(start.path("interval").asInt()).isEqualTo(2);
        assertThat(start.path("verification_uri").asText()).endsWith("?user_code=" + userCode);
        // Confirming takes a user token and the team; a malformed code is a 400, an unknown one a 404.
        String confirm = "{\"user_code\":\"" + userCode + "\"}";
        assertThat(call("POST", "/api/v1/desktop/pair/confirm", t.token("dave"), confirm, Map.of()).statusCode()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/desktop/pair/confirm", t.sk(), confirm, Map.of()).statusCode()).isEqualTo(401);
        assertThat(t.asUser("dave", "POST", "/api/v1/desktop/pair/confirm", "{\"user_code\":\"AB\"}").statusCode()).isEqualTo(400);
        ok(t.asUser("dave", "POST", "/api/v1/desktop/pair/confirm", confirm), 200);
        assertThat(t.asUser("dave", "POST", "/api/v1/desktop/pair/confirm", confirm).statusCode()).isEqualTo(404);
        String poll = "{\"device_code\":\"" + start.path("device_code").asText() + "\"}";
        JsonNode approved = ok(call("POST", "/api/v1/desktop/pair/poll", null, poll, Map.of()), 200);
        assertThat(call("POST", "/api/v1/desktop/pair/poll", null, poll, Map.of()).statusCode()).isEqualTo(404);
        String dk = secret(approved, "raw_key");
        String ak = secret(approved, "agent_key");
        // The device key acts as dave, with dave's current role; it cannot manage credentials.
        JsonNode me = ok(call("GET", "/api/v1/me", dk, null, Map.of()), 200);
        assertThat(me.path("kind").asText()).isEqualTo("device");
        assertThat(me.path("role").asText()).isEqualTo("member");
        assertThat(call("POST", "/api/v1/credentials", dk, "{\"kind\":\"integration\",\"display_name\":\"x\"}", Map.of()).statusCode()).isEqualTo(401);
        JsonNode listed = ok(t.asUser("alice", "GET", "/api/v1/credentials?kind=device", null), 200);
        assertThat(listed.path("credentials").get(0).path("display_name").asText()).startsWith("Desktop (paired ");
        assertThat(listed.path("credentials").get(0).path("key_prefix").asText()).isEqualTo(dk.substring(0, 12));
        assertThat(listed.toString()).doesNotContain(dk).doesNotContain(ak);
        // Signing out revokes both keys.
        ok(call("POST", "/api/v1/auth/device/revoke", dk, null, Map.of()), 200);
        assertThat(call("GET", "/api/v1/me", dk, null, Map.of()).statusCode()).isEqualTo(401);
        assertThat(stack.ns.query("gateway", "select key_status from credential where team_id = ? and kind in ('device', 'agent') and user_id is not null",
                UUID.fromString(t.teamId))).containsExactly("revoked", "revoked");
        // Revoking a device key by id also takes its agent key.
        JsonNode second = t.pairDevice("dave", "second");
        SECRETS.add(second.path("raw_key").asText());
        SECRETS.add(second.path("agent_key").asText());
        ok(t.asUser("alice", "DELETE", "/api/v1/credentials/" + second.path("credential_id").asText(), null), 204);
        assertThat(stack.ns.query("gateway", "select count(*) from credential where team_id = ? and key_status = 'active' and user_id is not null",
                UUID.fromString(t.teamId))).containsExactly("0");
    }

    @Test
    void credentialRequestsAreCheckedAndLastUseIsRecorded() throws Exception {
        TeamFixture t = team("Keys");
        record Case(String body, String field) {
        }
        for (Case c : List.of(new Case("{\"kind\":\"device\",\"display_name\":\"x\"}", "kind"),
                new Case("{\"kind\":\"admin\",\"display_name\":\"x\"}", "kind"),
                new Case("{\"kind\":\"integration\"}", "display_name"),
                new Case("{\"kind\":\"integration\",\"display_name\":\"x\",\"expires_in_days\":0}", "expires_in_days"),
                new Case("{\"kind\":\"integration\",\"display_name\":\"x\",\"expires_in_days\":366}", "expires_in_days"),
                new Case("{\"kind\":\"integration\",\"display_name\":\"x\",\"role\":\"owner\"}", "role"),
                new Case("{\"kind\":\"agent\",\"display_name\":\"x\",\"role\":\"admin\"}", "role"))) {
            JsonNode error = ok(t.asUser("alice", "POST", "/api/v1/credentials", c.body()), 400);
            assertThat(error.path("details").findValuesAsText("field")).as(c.body()).contains(c.field());
            assertThat(error.path("error_message").asText()).isNotBlank();
        }
        JsonNode created = ok(t.asUser("alice", "POST", "/api/v1/credentials",
                "{\"kind\":\"integration\",\"display_name\":\"ci\",\"expires_in_days\":30,\"role\":\"viewer\"}"), 201);
        String key = secret(created, "raw_key");
        assertThat(key).startsWith("sk-").hasSize(46);
        assertThat(created.path("key_prefix").asText()).isEqualTo(key.substring(0, 12));
        assertThat(created.path("expires_at").asText()).isNotBlank();
        // A secret or a prefix where the id belongs is a 400 that does not echo it.
        for (String wrong : List.of(key, key.substring(0, 12), "not-an-id")) {
            HttpResponse<String> r = t.asUser("alice", "DELETE", "/api/v1/credentials/" + wrong, null);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).doesNotContain(key.substring(3, 12));
        }
        assertThat(ok(call("GET", "/api/v1/me", key, null, Map.of()), 200).path("role").asText()).isEqualTo("viewer");
        String id = created.path("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode list = ok(t.asUser("alice", "GET", "/api/v1/credentials?kind=integration", null), 200);
            JsonNode mine = null;
            for (JsonNode c : list.path("credentials")) {
                if (c.path("id").asText().equals(id)) {
                    mine = c;
                }
            }
            assertThat(mine).isNotNull();
            assertThat(mine.path("last_used_at").isNull()).as("last_used_at recorded").isFalse();
        });
        assertThat(t.asUser("alice", "GET", "/api/v1/credentials?kind=user", null).statusCode()).isEqualTo(400);
        assertThat(t.asUser("alice", "GET", "/api/v1/credentials?per_page=101", null).statusCode()).isEqualTo(400);
    }

    @Test
    void aRevokedKeyIsRefusedOnEveryGatewayReplicaAtItsNextRequest() throws Exception {
        TeamFixture t = team("Replicas");
        ServiceProcess second = limitedGateway();
        {
            JsonNode created = ok(t.asUser("alice", "POST", "/api/v1/credentials", "{\"kind\":\"integration\",\"display_name\":\"rotating\"}"), 201);
            String key = secret(created, "raw_key");
            assertThat(get(second, "/api/v1/me", key).statusCode()).isEqualTo(200);
            assertThat(call("GET", "/api/v1/me", key, null, Map.of()).statusCode()).isEqualTo(200);
            ok(t.asUser("alice", "DELETE", "/api/v1/credentials/" + created.path("id").asText(), null), 204);
            long revokedAt = System.nanoTime();
            HttpResponse<String> onSecond = get(second, "/api/v1/me", key);
            long elapsedMs = (System.nanoTime() - revokedAt) / 1_000_000;
            assertThat(onSecond.statusCode()).isEqualTo(401);
            assertThat(onSecond.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(elapsedMs).as("the first request after the revoke, on the other replica").isLessThan(1000);
            assertThat(call("GET", "/api/v1/me", key, null, Map.of()).statusCode()).isEqualTo(401);
        }
    }

    /** A second gateway replica with small run limits (1 run/s, bursts of 10); the stack's own gateway has load-test limits. */
    static synchronized ServiceProcess limitedGateway() throws Exception {
        if (limited == null) {
            limited = stack.extraGateway(Map.of("cyberun.gateway.rate-limits.runs-per-second", "1", "cyberun.gateway.rate-limits.run-burst", "10"));
        }
        return limited;
    }

    @Test
    void revokingAnAgentKeyDisconnectsItsAgentAtOnceAndKeepsItOut() throws Exception {
        TeamFixture t = team("Agent keys");
        JsonNode created = ok(t.asUser("alice", "POST", "/api/v1/credentials", "{\"kind\":\"agent\",\"display_name\":\"gpu-01\"}"), 201);
        String ak = secret(created, "raw_key");
        ServiceProcess agent = stack.agent("revoked-agent", ak, "exec");
        AgentsIT.Team asTeam = new AgentsIT.Team(t.sk(), ak, null);
        AgentsIT.awaitAgentStatus(asTeam, "revoked-agent", "idle");
        ok(t.asUser("alice", "DELETE", "/api/v1/credentials/" + created.path("id").asText(), null), 204);
        long revoked = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(ok(call("GET", "/api/v1/r/agents", t.sk(), null, Map.of()), 200).toString()).doesNotContain("revoked-agent"));
        System.out.printf("[identity] a revoked agent key's agent was gone from the agent list after %d ms%n", (System.nanoTime() - revoked) / 1_000_000);
        // It stays out: its reconnects are refused.
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(ok(call("GET", "/api/v1/r/agents", t.sk(), null, Map.of()), 200).toString()).doesNotContain("revoked-agent"));
        agent.close();
    }

    @Test
    void anAgentWhoseKeyTheHubDoesNotKnowStopsAndSaysWhy() throws Exception {
        Path work = Files.createDirectories(stack.logs.resolve("unknown-key-" + System.nanoTime()));
        Process agent = new ProcessBuilder(ServiceProcess.java(), "-jar", stack.root.resolve("agent/target/cyberun-agent.jar").toString(),
                "--server", "ws://127.0.0.1:" + stack.hub.port, "--key", "ak-" + "u".repeat(43), "--id", "unknown-key",
                "--work-dir", work.toString()).redirectErrorStream(true).start();
        java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(agent.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        boolean exited = agent.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        if (!exited) {
            agent.destroyForcibly();
        }
        String said = output.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(exited).as("the agent stopped by itself: " + said).isTrue();
        assertThat(agent.exitValue()).as(said).isEqualTo(2);
        assertThat(said).contains("the hub refused the agent key (HTTP 401)").doesNotContain("reconnecting");
    }

    @Test
    void runRequestsBeyondTheRunLimitGet429WithRetryAfterWhileReadsGoOn() throws Exception {
        TeamFixture t = team("Limits");
        ServiceProcess gateway = limitedGateway();
        int accepted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 30 && refused == null; i++) {
            HttpResponse<String> r = post(gateway, "/api/v1/r/workflows/slug/parked/run", t.sk(), "{\"parameters\":{}}");
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertThat(r.statusCode()).isEqualTo(202);
                accepted++;
            }
        }
        assertThat(refused).as("a 429 within 30 rapid runs").isNotNull();
        assertThat(accepted).isBetween(10, 20);
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 2L);
        assertThat(refused.body()).contains("\"error_code\":\"rate_limited\"").contains("retry after");
        // Reads by the same key, and runs by another key of the team, are not held back by this key's run bucket.
        assertThat(get(gateway, "/api/v1/r/tasks", t.sk()).statusCode()).isEqualTo(200);
        String other = secret(ok(t.asUser("alice", "POST", "/api/v1/credentials", "{\"kind\":\"integration\",\"display_name\":\"other\"}"), 201), "raw_key");
        assertThat(post(gateway, "/api/v1/r/workflows/slug/parked/run", other, "{\"parameters\":{}}").statusCode()).isEqualTo(202);
        // The bucket refills: after Retry-After the key may run again.
        Duration retryAfter = Duration.ofSeconds(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()));
        Awaitility.await().pollDelay(retryAfter).atMost(retryAfter.plusSeconds(1)).untilAsserted(() ->
                assertThat(post(gateway, "/api/v1/r/workflows/slug/parked/run", t.sk(), "{\"parameters\":{}}").statusCode()).isEqualTo(202));
        ok(t.asUser("alice", "DELETE", "/api/v1/teams/current", null), 200);
    }

    @Test
    void internalServicesRefuseCallsThatDoNotCarryTheGatewaysToken() throws Exception {
        String team = UUID.randomUUID().toString();
        for (String url : List.of(stack.task.url() + "/api/v1/r/tasks", stack.task.url() + "/internal/v1/teams/" + team + "/cancel-open-tasks",
                stack.file.url() + "/api/v1/models", stack.hub.url() + "/api/v1/agents")) {
            String method = url.contains("/internal/") ? "POST" : "GET";
            for (Map<String, String> headers : List.<Map<String, String>>of(Map.of(), Map.of("X-Cyberun-Principal", "forged.token.value"),
                    Map.of("X-Team-ID", team, "Authorization", "Bearer sk-" + "x".repeat(43)))) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).method(method,
                        method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody())
                        .header("Content-Type", "application/json");
                headers.forEach(b::header);
                HttpResponse<String> r = WalkingSkeletonIT.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(method + " " + url + " with " + headers.keySet()).isEqualTo(401);
            }
        }
    }

    static HttpResponse<String> post(ServiceProcess gateway, String path, String bearer, String body) throws Exception {
        return WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(ServiceProcess gateway, String path, String bearer) throws Exception {
        return WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + bearer)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** No secret issued in this class shows up in any service's log. */
    @AfterAll
    static void noSecretInAnyLog() throws Exception {
        if (limited != null) {
            limited.close();
        }
        assertThat(SECRETS).hasSizeGreaterThan(10);
        List<Path> logs;
        try (Stream<Path> files = Files.list(stack.logs)) {
            logs = files.filter(p -> p.toString().endsWith(".log")).toList();
        }
        assertThat(logs).isNotEmpty();
        for (Path log : logs) {
            String text = Files.readString(log);
            for (String secret : SECRETS) {
                assertThat(text.contains(secret)).as("a secret (" + secret.substring(0, 6) + "...) in " + log.getFileName()).isFalse();
            }
        }
    }
}
