package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.call;
import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkiverse.mcp.server.test.McpAssured.McpStreamableTestClient;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Container services through the real stack: definitions in task-service, placement by the scheduler, replicas run by
 * the reference agent with the process runtime (deploy/local/echo-service), calls through gateway → agent-hub → a
 * stream the agent dials back → the replica.
 */
@ExtendWith(SharedStack.class)
class ContainersIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Duration DEPLOY = Duration.ofSeconds(90);
    static CyberunStack stack;
    static TeamFixture team;
    static TeamFixture other;
    static String viewerKey;
    static String memberKey;
    static ServiceProcess agent;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        team = new TeamFixture(stack, "Containers", stack.workflowJson()).join("dave", "member").join("erin", "viewer");
        other = new TeamFixture(stack, "Containers elsewhere", stack.workflowJson());
        viewerKey = team.integrationKey("viewer", null).path("raw_key").asText();
        memberKey = team.integrationKey("member", null).path("raw_key").asText();
        agent = stack.agent(new CyberunStack.AgentOptions("ctr-agent", team.ak(), "exec, demo, cpu"));
    }

    /**
     * Deletes the team's services and waits until their replica processes are gone: nothing this class started keeps
     * running (or is placed again after a later test flushes Redis) while the rest of the suite runs.
     */
    @org.junit.jupiter.api.AfterAll
    static void cleanUp() throws Exception {
        for (JsonNode s : ok(team.asUser("alice", "GET", "/api/v1/containers?per_page=100", null), 200).path("service_list")) {
            ok(team.asUser("alice", "DELETE", "/api/v1/containers/" + s.path("id").asText(), null), 204);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> ProcessHandle.of(agent.pid()).map(p -> p.descendants().noneMatch(ProcessHandle::isAlive))
                .orElse(true));
    }

    static JsonNode create(String slug, int replicas) throws Exception {
        return ok(team.asUser("alice", "POST", "/api/v1/containers", """
                {"service_slug":"%s","display_name":"Echo","docker_image":"cyberun/echo-service","health_path":"/health",
                 "replica_count":%d,"env_config":[{"env_name":"GREETING","env_value":"hi"}],"required_labels":["cpu"],
                 "usage_prompt":"GET /echo answers the request as JSON","openapi_url":"/openapi.json"}""".formatted(slug, replicas)), 201);
    }

    /** Creates and deploys the service, and waits until it runs with every replica healthy. */
    static JsonNode deployed(String slug, int replicas) throws Exception {
        String id = create(slug, replicas).path("id").asText();
        assertThat(ok(team.asUser("alice", "POST", "/api/v1/containers/" + id + "/deploy", null), 202).path("service_status").asText())
                .isEqualTo("deploying");
        await().atMost(DEPLOY).until(() -> healthy(id).size() == replicas);
        return ok(team.asUser("alice", "GET", "/api/v1/containers/" + id, null), 200);
    }

    static List<String> healthy(String id) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode r : ok(team.asUser("alice", "GET", "/api/v1/containers/" + id + "/replicas", null), 200).path("replica_list")) {
            if (r.path("state").asText().equals("healthy")) {
                out.add(r.path("replica_id").asText());
            }
        }
        return out;
    }

    static HttpResponse<String> proxied(String key, String method, String pathOnService, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/r/containers/" + pathOnService))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoReplicasShareTheCallsAndOneThatDiesIsReplacedWhileCallsGoOn() throws Exception {
        JsonNode service = deployed("echo-two", 2);
        String id = service.path("id").asText();
        assertThat(service.path("service_status").asText()).isEqualTo("running");
        assertThat(service.path("service_url").asText()).isEqualTo(stack.gateway.url() + "/api/v1/r/containers/echo-two/");
        assertThat(service.path("replicas")).hasSize(2);
        service.path("replicas").forEach(r -> assertThat(r.path("agent_id").asText()).isEqualTo("ctr-agent"));

        // Both replicas answer, in turn; path, query, method, headers and body arrive as sent; the caller's key does not.
        Set<String> answered = new HashSet<>();
        Map<String, Long> pids = new java.util.HashMap<>();
        byte[] body = new byte[1024 * 1024];
        new Random(7).nextBytes(body);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = proxied(team.sk(), "POST", "echo-two/echo?n=" + i, body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode echo = WalkingSkeletonIT.json(r.body());
            assertThat(echo.path("path").asText()).isEqualTo("/echo");
            assertThat(echo.path("query").asText()).isEqualTo("n=" + i);
            assertThat(echo.path("body_sha256").asText()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
            assertThat(echo.path("headers").has("authorization")).isFalse();
            assertThat(r.headers().firstValue("X-Echo-Replica")).hasValue(echo.path("replica").asText());
            answered.add(echo.path("replica").asText());
            pids.put(echo.path("replica").asText(), echo.path("pid").asLong());
        }
        assertThat(answered).hasSize(2);

        // One replica's process dies: calls go on with the other, the service shows the failure, the scheduler places a new one.
        String victim = answered.iterator().next();
        ProcessHandle.of(pids.get(victim)).orElseThrow().destroyForcibly();
        List<Integer> statuses = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> r = proxied(team.sk(), "GET", "echo-two/echo", null);
            statuses.add(r.statusCode());
            return r.statusCode() == 200 && statuses.size() >= 3 && statuses.subList(statuses.size() - 3, statuses.size()).stream().allMatch(s -> s == 200);
        });
        assertThat(statuses).as("a call either reaches a live replica or fails cleanly").allMatch(s -> s == 200 || s == 502 || s == 503);
        await().atMost(DEPLOY).until(() -> {
            JsonNode replicas = ok(team.asUser("alice", "GET", "/api/v1/containers/" + id + "/replicas", null), 200);
            boolean shownFailed = false;
            for (JsonNode r : replicas.path("replica_list")) {
                if (r.path("replica_id").asText().equals(victim)) {
                    shownFailed = r.path("state").asText().equals("failed") && r.path("reason").asText().contains("exited");
                }
            }
            List<String> healthy = healthy(id);
            return shownFailed && healthy.size() == 2 && !healthy.contains(victim);
        });
        Set<String> after = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = proxied(team.sk(), "GET", "echo-two/echo", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            after.add(WalkingSkeletonIT.json(r.body()).path("replica").asText());
        }
        assertThat(after).hasSize(2).doesNotContain(victim);
    }

    @Test
    void callsLeaveNoConnectionOpenOnTheAgent() throws Exception {
        deployed("echo-leak", 1);
        assertThat(proxied(memberKey, "GET", "echo-leak/echo", null).statusCode()).isEqualTo(200);
        long before = sockets(agent.pid());
        for (int i = 0; i < 40; i++) {
            assertThat(proxied(i % 2 == 0 ? memberKey : team.sk(), "GET", "echo-leak/echo", null).statusCode()).isEqualTo(200);
        }
        // Each call is a stream the agent dials; a stream kept open after its answer (as one was) adds a socket per call.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sockets(agent.pid())).isLessThan(before + 10));
    }

    /** The sockets a process holds open. */
    static long sockets(long pid) throws Exception {
        try (Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.filter(fd -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (Exception e) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void serverSentEventsArriveThroughTheProxyAsTheyAreSent() throws Exception {
        deployed("echo-sse", 1);
        HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/r/containers/echo-sse/sse?n=4&ms=500"))
                .header("Authorization", "Bearer " + team.sk()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<Long> arrivals = new ArrayList<>();
        r.body().filter(l -> l.startsWith("data:")).forEach(l -> arrivals.add(System.nanoTime()));
        assertThat(arrivals).hasSize(4);
        // Sent 500 ms apart: had the proxy gathered the body, they would arrive together.
        assertThat(Duration.ofNanos(arrivals.get(3) - arrivals.get(0))).isGreaterThan(Duration.ofMillis(1000));
    }

    @Test
    void invokeCallsTheServiceAndRefusesPathsThatAreNotPathsOnIt() throws Exception {
        deployed("echo-invoke", 1);
        String request = """
                {"method":"POST","path":"/echo?via=invoke","body_base64":"%s","headers":{"X-Test":"yes","Content-Type":"text/plain"}}"""
                .formatted(Base64.getEncoder().encodeToString("hello".getBytes()));
        JsonNode answer = ok(call("POST", "/api/v1/r/invoke/echo-invoke", memberKey, request, Map.of()), 200);
        assertThat(answer.path("status_code").asInt()).isEqualTo(200);
        assertThat(answer.path("headers").path("content-type").asText()).isEqualTo("application/json");
        JsonNode echo = WalkingSkeletonIT.json(new String(Base64.getDecoder().decode(answer.path("body_base64").asText())));
        assertThat(echo.path("method").asText()).isEqualTo("POST");
        assertThat(echo.path("query").asText()).isEqualTo("via=invoke");
        assertThat(echo.path("body_length").asInt()).isEqualTo(5);
        assertThat(echo.path("headers").path("x-test").asText()).isEqualTo("yes");
        // The service's own 404 is an answer, not an error of the call.
        assertThat(ok(call("POST", "/api/v1/r/invoke/echo-invoke", memberKey, "{\"method\":\"GET\",\"path\":\"/nothing\"}", Map.of()), 200)
                .path("status_code").asInt()).isEqualTo(404);

        for (String path : List.of("//evil.example/x", "http://evil.example/x", "https://evil.example", "echo", "/a@evil.example", "/x\\\\y")) {
            JsonNode refused = ok(call("POST", "/api/v1/r/invoke/echo-invoke", memberKey, "{\"method\":\"GET\",\"path\":\"" + path + "\"}", Map.of()), 400);
            assertThat(refused.path("details").get(0).path("field").asText()).as(path).isEqualTo("path");
        }
        JsonNode badMethod = ok(call("POST", "/api/v1/r/invoke/echo-invoke", memberKey, "{\"method\":\"FETCH\",\"path\":\"/\",\"body_base64\":\"***\"}",
                Map.of()), 400);
        assertThat(badMethod.path("details").findValuesAsText("field")).containsExactlyInAnyOrder("method", "body_base64");
        ok(call("POST", "/api/v1/r/invoke/no-such-service", memberKey, "{\"method\":\"GET\",\"path\":\"/\"}", Map.of()), 404);
    }

    @Test
    void aDefinitionIsCheckedFieldByFieldAndABadOneWritesNothing() throws Exception {
        JsonNode bad = ok(team.asUser("alice", "POST", "/api/v1/containers", """
                {"service_slug":"Bad_Slug","docker_image":"x","replica_count":11,"exposed_port":70000,"health_path":"health",
                 "gpu_count":-2,"env_config":[{"env_name":"1X","env_value":"v"}],"volume_config":[{"host_path":"rel","container_path":"/c"}],
                 "external_url":"http://plain.example","openapi_url":"https://elsewhere.example/openapi.json"}"""), 400);
        assertThat(bad.path("error_code").asText()).isEqualTo("validation_failed");
        assertThat(bad.path("details").findValuesAsText("field")).contains("service_slug", "replica_count", "exposed_port", "health_path",
                "gpu_count", "env_config[0].env_name", "volume_config[0].host_path", "external_url", "openapi_url");
        assertThat(ok(team.asUser("alice", "POST", "/api/v1/containers", "{\"docker_image\":\"x\"}"), 400).path("details")
                .findValuesAsText("field")).containsExactly("service_slug");
        assertThat(ok(team.asUser("alice", "POST", "/api/v1/containers", "{\"service_slug\":\"no-image\"}"), 400).path("details")
                .findValuesAsText("field")).containsExactly("docker_image");
        assertThat(ok(team.asUser("alice", "POST", "/api/v1/containers",
                "{\"service_slug\":\"ext-one\",\"service_type\":\"external\",\"docker_image\":\"x\"}"), 400).path("details")
                .findValuesAsText("field")).containsExactlyInAnyOrder("external_url", "docker_image");
        ok(team.asUser("alice", "POST", "/api/v1/containers", "not json"), 400);
        assertThat(ok(team.asUser("alice", "GET", "/api/v1/containers", null), 200).path("service_list").findValuesAsText("service_slug"))
                .doesNotContain("Bad_Slug", "no-image", "ext-one");

        String id = create("echo-checked", 1).path("id").asText();
        assertThat(ok(team.asUser("alice", "POST", "/api/v1/containers", "{\"service_slug\":\"echo-checked\",\"docker_image\":\"x\"}"), 409)
                .path("details").get(0).path("field").asText()).isEqualTo("service_slug");
        assertThat(ok(team.asUser("alice", "PUT", "/api/v1/containers/" + id, "{\"service_slug\":\"renamed\"}"), 400).path("details")
                .get(0).path("field").asText()).isEqualTo("service_slug");
        JsonNode updated = ok(team.asUser("alice", "PUT", "/api/v1/containers/" + id, "{\"replica_count\":3,\"display_name\":\"Echo 3\"}"), 200);
        assertThat(updated.path("replica_count").asInt()).isEqualTo(3);
        assertThat(updated.path("service_status").asText()).isEqualTo("created");
        ok(team.asUser("alice", "PUT", "/api/v1/containers/" + id, "{\"replica_count\":0}"), 400);
        assertThat(ok(team.asUser("alice", "GET", "/api/v1/containers/" + id, null), 200).path("replica_count").asInt()).isEqualTo(3);
    }

    @Test
    void viewersReadMembersCallAdminsManageAndOtherTeamsSeeNothing() throws Exception {
        String id = deployed("echo-roles", 1).path("id").asText();
        // Viewers list and read the runtime view (no environment), but do not call.
        JsonNode listed = ok(call("GET", "/api/v1/r/containers", viewerKey, null, Map.of()), 200);
        assertThat(listed.path("service_list").findValuesAsText("service_slug")).contains("echo-roles");
        JsonNode read = ok(call("GET", "/api/v1/r/containers/echo-roles", viewerKey, null, Map.of()), 200);
        assertThat(read.path("usage_prompt").asText()).contains("GET /echo");
        assertThat(read.path("service_status").asText()).isEqualTo("running");
        assertThat(read.has("env_config")).isFalse();
        assertThat(proxied(viewerKey, "GET", "echo-roles/echo", null).statusCode()).isEqualTo(403);
        ok(call("POST", "/api/v1/r/invoke/echo-roles", viewerKey, "{\"method\":\"GET\",\"path\":\"/echo\"}", Map.of()), 403);
        // Members call; managing takes an admin.
        assertThat(proxied(memberKey, "GET", "echo-roles/echo", null).statusCode()).isEqualTo(200);
        ok(team.asUser("dave", "POST", "/api/v1/containers", "{\"service_slug\":\"by-member\",\"docker_image\":\"x\"}"), 403);
        ok(team.asUser("dave", "POST", "/api/v1/containers/" + id + "/stop", null), 403);
        ok(call("POST", "/api/v1/containers", team.sk(), "{\"service_slug\":\"by-sk\",\"docker_image\":\"x\"}", Map.of()), 401);

        // Another team: every way in is a 404, and nothing changes.
        ok(call("GET", "/api/v1/r/containers/echo-roles", other.sk(), null, Map.of()), 404);
        HttpResponse<String> elsewhere = proxied(other.sk(), "GET", "echo-roles/echo", null);
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        ok(call("POST", "/api/v1/r/invoke/echo-roles", other.sk(), "{\"method\":\"GET\",\"path\":\"/echo\"}", Map.of()), 404);
        for (String[] m : new String[][] {{"GET", ""}, {"PUT", ""}, {"DELETE", ""}, {"POST", "/deploy"}, {"POST", "/stop"}, {"GET", "/replicas"}}) {
            ok(other.asUser("alice", m[0], "/api/v1/containers/" + id + m[1], m[0].equals("PUT") ? "{\"replica_count\":2}" : null), 404);
        }
        assertThat(ok(call("GET", "/api/v1/r/containers", other.sk(), null, Map.of()), 200).path("service_list").findValuesAsText("service_slug"))
                .doesNotContain("echo-roles");
        assertThat(ok(team.asUser("alice", "GET", "/api/v1/containers/" + id, null), 200).path("service_status").asText()).isEqualTo("running");
    }

    @Test
    void stoppingAServiceStopsItsReplicasAndDeletingItRemovesIt() throws Exception {
        String id = deployed("echo-stop", 1).path("id").asText();
        long pid = WalkingSkeletonIT.json(proxied(team.sk(), "GET", "echo-stop/echo", null).body()).path("pid").asLong();
        assertThat(ok(team.asUser("alice", "POST", "/api/v1/containers/" + id + "/stop", null), 202).path("service_status").asText())
                .isEqualTo("stopping");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                ok(team.asUser("alice", "GET", "/api/v1/containers/" + id, null), 200).path("service_status").asText().equals("stopped"));
        await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThat(proxied(team.sk(), "GET", "echo-stop/echo", null).statusCode()).isEqualTo(404);
        // Deployed again: a new replica; then deleted: its replica goes too.
        ok(team.asUser("alice", "POST", "/api/v1/containers/" + id + "/deploy", null), 202);
        await().atMost(DEPLOY).until(() -> healthy(id).size() == 1);
        long second = WalkingSkeletonIT.json(proxied(team.sk(), "GET", "echo-stop/echo", null).body()).path("pid").asLong();
        ok(team.asUser("alice", "DELETE", "/api/v1/containers/" + id, null), 204);
        ok(team.asUser("alice", "GET", "/api/v1/containers/" + id, null), 404);
        await().atMost(Duration.ofSeconds(15)).until(() -> proxied(team.sk(), "GET", "echo-stop/echo", null).statusCode() == 404);
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(second).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void theMcpToolsListReadAndCallAService() throws Exception {
        deployed("echo-mcp", 1);
        McpStreamableTestClient client = McpAssured.newStreamableClient().setBaseUri(URI.create(stack.gateway.url())).setMcpPath("/api/v1/mcp")
                .setAdditionalHeaders(m -> MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + memberKey)).build().connect();
        try {
            assertThat(McpIT.success(client, "list_container_services", Map.of()).path("service_list").findValuesAsText("service_slug"))
                    .contains("echo-mcp");
            assertThat(McpIT.success(client, "get_container_service", Map.of("service_slug", "echo-mcp")).path("usage_prompt").asText())
                    .contains("GET /echo");
            JsonNode called = McpIT.success(client, "call_container_service", Map.of("service_slug", "echo-mcp", "method", "GET",
                    "path", "/echo?via=mcp"));
            assertThat(called.path("status_code").asInt()).isEqualTo(200);
            assertThat(new String(Base64.getDecoder().decode(called.path("body_base64").asText()))).contains("\"query\":\"via=mcp\"");
        } finally {
            client.disconnect();
        }
    }
}
