package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.json.CyberunJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton, end to end: every service as a packaged process, a real agent, the real servers. A task
 * is run through the gateway with an sk- key, its states arrive over SSE as they happen, and its output is
 * downloaded from the store with the link the result carries.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedStack.class)
class WalkingSkeletonIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static CyberunStack stack;
    static JsonNode team;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        team = bootstrap("E2E team", "alice@example.com", stack.workflowJson());
        stack.agent("e2e-agent", team.path("agent_key").asText(), "exec, demo, cpu");
    }

    static JsonNode bootstrap(String name, String owner, String... workflows) throws Exception {
        return bootstrap(stack, name, owner, workflows);
    }

    static JsonNode bootstrap(CyberunStack stack, String name, String owner, String... workflows) throws Exception {
        return bootstrapAt(stack.gateway.url(), stack.ctx.adminToken(), name, owner, workflows);
    }

    /** A team, its owner, keys and workflows, through the admin endpoint of the gateway at this address. */
    static JsonNode bootstrapAt(String gateway, String adminToken, String name, String owner, String... workflows) throws Exception {
        String body = "{\"team_name\":\"" + name + "\",\"owner_email\":\"" + owner + "\",\"workflows\":[" + String.join(",", workflows) + "]}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/admin/bootstrap"))
                .header("X-Cyberun-Admin-Token", adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body());
    }

    static HttpResponse<String> call(String method, String path, String bearer, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(CyberunStack.shared().gateway.url() + path)).header("Authorization", "Bearer " + bearer)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String text) throws Exception {
        return CyberunJson.mapper().readTree(text);
    }

    @Test
    void aTaskRunsThroughEveryServiceAndItsOutputDownloads() throws Exception {
        String sk = team.path("integration_key").asText();
        HttpResponse<String> run = call("POST", "/api/v1/r/workflows/slug/demo-render/run", sk,
                "{\"parameters\":{\"prompt\":\"hello from the e2e test\",\"steps\":5,\"color\":\"violet\"}}", Map.of());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
        String task = json(run.body()).path("task_id").asText();

        SseClient sse = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + task + "/events", sk, null);
        assertThat(sse.done.get(90, TimeUnit.SECONDS)).isEqualTo(200);

        List<SseClient.Event> events = sse.events;
        assertThat(events).extracting(SseClient.Event::id).as("sequence numbers without gaps")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toList());
        List<String> states = events.stream().filter(e -> e.name().equals("status") || e.name().equals("completed"))
                .map(e -> e.data().path("status").asText()).toList();
        // "waiting" appears when the scheduler sees the run before the agent's connection: both orders are right.
        assertThat(states.stream().filter(st -> !st.equals("waiting")).toList()).containsExactly("pending", "queued", "running", "completed");
        assertThat(states.indexOf("waiting")).isIn(-1, 1);
        assertThat(events).filteredOn(e -> e.name().equals("progress")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.data().path("step_total").asInt()).isEqualTo(5));
        assertThat(events).filteredOn(e -> e.name().equals("log")).flatExtracting(e -> e.data().findValuesAsText("text"))
                .anyMatch(t -> t.contains("rendering \"hello from the e2e test\" in 5 steps (violet)"));
        SseClient.Event completed = events.get(events.size() - 1);
        assertThat(completed.name()).isEqualTo("completed");

        JsonNode detail = json(call("GET", "/api/v1/r/tasks/" + task, sk, null, Map.of()).body());
        assertThat(detail.path("status").asText()).isEqualTo("completed");
        assertThat(detail.path("agent_id").asText()).isEqualTo("e2e-agent");
        assertThat(detail.path("parameters").path("color").asText()).isEqualTo("violet");

        JsonNode result = json(call("GET", "/api/v1/r/tasks/" + task + "/result", sk, null, Map.of()).body());
        String promptUrl = result.path("download_urls").path("prompt.txt").asText();
        HttpResponse<byte[]> prompt = HTTP.send(HttpRequest.newBuilder(URI.create(promptUrl)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(prompt.statusCode()).isEqualTo(200);
        assertThat(new String(prompt.body(), StandardCharsets.UTF_8)).isEqualTo("hello from the e2e test\n");
        HttpResponse<String> card = HTTP.send(HttpRequest.newBuilder(URI.create(result.path("download_urls").path("card.svg").asText())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(card.body()).contains("<svg").contains("hello from the e2e test");
        JsonNode promptFile = null;
        for (JsonNode f : result.path("task_output").path("files")) {
            if (f.path("name").asText().equals("prompt.txt")) {
                promptFile = f;
            }
        }
        assertThat(promptFile).isNotNull();
        assertThat(promptFile.path("sha256").asText()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(prompt.body())));
        assertThat(result.path("expires_at").asText()).isNotEmpty();

        // Resuming after the second event replays the rest, without the first two.
        SseClient resumed = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + task + "/events", sk, 2L);
        assertThat(resumed.done.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(resumed.events).extracting(SseClient.Event::id).first().isEqualTo(3L);
        assertThat(resumed.events).hasSize(events.size() - 2);
    }

    @Test
    void aSignedInUserSeesTheTeamAndAnotherTeamSeesNothing() throws Exception {
        String sk = team.path("integration_key").asText();
        String task = json(call("POST", "/api/v1/r/workflows/slug/demo-render/run", sk, "{\"parameters\":{\"prompt\":\"visible\"}}", Map.of())
                .body()).path("task_id").asText();

        String alice = userToken("alice", stack.ctx.endpoints().alicePassword());
        HttpResponse<String> asAlice = call("GET", "/api/v1/r/tasks/" + task, alice, null, Map.of("X-Team-ID", team.path("team_id").asText()));
        assertThat(asAlice.statusCode()).as(asAlice.body()).isEqualTo(200);
        assertThat(json(call("GET", "/api/v1/me", alice, null, Map.of("X-Team-ID", team.path("team_id").asText())).body()).path("role").asText())
                .isEqualTo("owner");

        JsonNode other = bootstrap("E2E other team", "carol@example.com");
        String otherSk = other.path("integration_key").asText();
        assertThat(call("GET", "/api/v1/r/tasks/" + task, otherSk, null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/v1/r/tasks/" + task + "/result", otherSk, null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/r/tasks/" + task + "/cancel", otherSk, null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + task + "/events", otherSk, null).done.get(30, TimeUnit.SECONDS))
                .isEqualTo(404);
        JsonNode agents = json(call("GET", "/api/v1/r/agents", otherSk, null, Map.of()).body());
        assertThat(agents.path("agent_list")).isEmpty();
        JsonNode ours = json(call("GET", "/api/v1/r/agents", sk, null, Map.of()).body());
        assertThat(ours.path("agent_list").findValuesAsText("agent_id")).contains("e2e-agent");
    }

    @Test
    void aTaskNoAgentCanRunWaitsAndCanBeCancelled() throws Exception {
        String workflow = stack.workflowJson().replace("\"demo-render\",\n", "\"needs-h100\",\n")
                .replace("\"workflow_slug\": \"demo-render\"", "\"workflow_slug\": \"needs-h100\"")
                .replace("[\"exec\", \"demo\"]", "[\"exec\", \"h100\"]");
        JsonNode team2 = bootstrap("E2E waiting team", "dave@example.com", workflow);
        String sk = team2.path("integration_key").asText();
        String task = json(call("POST", "/api/v1/r/workflows/slug/needs-h100/run", sk, "{\"parameters\":{\"prompt\":\"x\"}}", Map.of())
                .body()).path("task_id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(json(call("GET", "/api/v1/r/tasks/" + task, sk, null, Map.of()).body()).path("status").asText()).isEqualTo("waiting"));
        assertThat(call("POST", "/api/v1/r/tasks/" + task + "/cancel", sk, null, Map.of()).body()).isEqualTo("true");
        assertThat(json(call("GET", "/api/v1/r/tasks/" + task, sk, null, Map.of()).body()).path("status").asText()).isEqualTo("cancelled");
    }

    static String userToken(String user, String password) throws Exception {
        return userToken(stack, user, password);
    }

    static String userToken(CyberunStack stack, String user, String password) throws Exception {
        String form = "grant_type=password&client_id=cyberun-dashboard&username=" + user + "&password=" + password;
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.ctx.endpoints().oidcRealmUrl() + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body()).path("access_token").asText();
    }
}
