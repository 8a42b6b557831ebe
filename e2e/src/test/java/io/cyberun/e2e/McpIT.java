package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.json.CyberunJson;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkiverse.mcp.server.test.McpAssured;
import io.quarkiverse.mcp.server.test.McpAssured.McpStreamableTestClient;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MCP endpoint as AI clients reach it: through the gateway at {@code /api/v1/mcp} with an sk- key, served by two
 * mcp-service replicas, every tool calling the live REST API with the caller's key. Driven with McpAssured, the
 * extension's independent test client (plain HTTP, no Quarkus in this JVM).
 */
@ExtendWith(SharedStack.class)
class McpIT {
    static final List<String> TOOLS = List.of("list_workflows", "get_workflow", "get_workflow_by_slug", "run_workflow",
            "run_workflow_by_slug", "list_tasks", "get_task", "get_task_result", "cancel_task", "stream_task_events", "list_agents",
            "list_container_services", "get_container_service", "call_container_service", "presign_file_upload");
    static CyberunStack stack;
    static TeamFixture team;
    static final List<McpStreamableTestClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        team = new TeamFixture(stack, "MCP team", stack.workflowJson());
        // Steps slow enough that a 50-step task is still running when a test cancels it.
        stack.agent(new CyberunStack.AgentOptions("mcp-agent", team.ak(), "exec, demo, cpu").env("DEMO_STEP_SECONDS", "0.4"));
        Awaitility.setDefaultTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        clients.forEach(c -> {
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                // the session may be gone already
            }
        });
        Awaitility.reset();
    }

    static McpStreamableTestClient connect(String key) {
        McpStreamableTestClient client = McpAssured.newStreamableClient().setBaseUri(URI.create(stack.gateway.url()))
                .setMcpPath("/api/v1/mcp")
                .setAdditionalHeaders(m -> MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + key)).build().connect();
        clients.add(client);
        return client;
    }

    static JsonNode structured(ToolResponse r) {
        try {
            return CyberunJson.mapper().readTree(((JsonObject) r.structuredContent()).encode());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(ToolResponse r) {
        return r.content().stream().filter(c -> c instanceof TextContent).map(c -> ((TextContent) c).text()).findFirst().orElse("");
    }

    /** Calls one tool and returns its result (an error result too). */
    static ToolResponse call(McpStreamableTestClient client, String tool, Map<String, Object> args) {
        AtomicReference<ToolResponse> out = new AtomicReference<>();
        client.when().toolsCall(tool, args, out::set).thenAssertResults();
        return out.get();
    }

    static JsonNode success(McpStreamableTestClient client, String tool, Map<String, Object> args) {
        ToolResponse r = call(client, tool, args);
        assertThat(r.isError()).as(tool + ": " + text(r)).isFalse();
        assertThat(text(r)).as(tool + " has a readable summary").isNotBlank();
        return structured(r);
    }

    static String failure(McpStreamableTestClient client, String tool, Map<String, Object> args) {
        ToolResponse r = call(client, tool, args);
        assertThat(r.isError()).as(tool + " " + args + " fails").isTrue();
        return text(r);
    }

    @Test
    void theServerNamesItselfAndListsFifteenToolsWithEveryArgumentDescribed() {
        McpStreamableTestClient client = McpAssured.newStreamableClient().setBaseUri(URI.create(stack.gateway.url())).setMcpPath("/api/v1/mcp")
                .setAdditionalHeaders(m -> MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + team.sk())).build()
                .connect(init -> {
                    assertThat(init.serverName()).isEqualTo("cyberun-cloud");
                    assertThat(init.serverTitle()).isEqualTo("Cyberun Cloud");
                    assertThat(init.protocolVersion()).isEqualTo("2025-11-25");
                    assertThat(init.capabilities()).anySatisfy(c -> {
                        assertThat(c.name()).isEqualTo("tools");
                        assertThat(c.properties()).containsEntry("listChanged", true);
                    });
                });
        clients.add(client);
        client.when().toolsList(page -> {
            assertThat(page.tools()).extracting(McpAssured.ToolInfo::name).containsExactlyInAnyOrderElementsOf(TOOLS);
            for (McpAssured.ToolInfo tool : page.tools()) {
                assertThat(tool.description()).as(tool.name()).hasSizeGreaterThan(40);
                // What the descriptions say agrees with the API: priority -100..100, every task status.
                String schema = tool.inputSchema().encode();
                if (schema.contains("\"priority\"")) {
                    assertThat(schema).as(tool.name() + ".priority").contains("-100 to 100");
                }
                if (tool.name().equals("list_tasks")) {
                    assertThat(schema).contains("provisioning");
                }
                if (tool.name().equals("presign_file_upload")) {
                    assertThat(tool.inputSchema().getJsonObject("properties").fieldNames()).contains("body");
                }
                JsonObject properties = tool.inputSchema().getJsonObject("properties", new JsonObject());
                for (String arg : properties.fieldNames()) {
                    assertThat(properties.getJsonObject(arg).getString("description")).as(tool.name() + "." + arg).hasSizeGreaterThan(10);
                }
            }
        }).thenAssertResults();
        assertThat(client.mcpSessionId()).matches("^[01]\\..+");
    }

    @Test
    void aWorkflowRunsByItsSlugAndItsEventsArriveAsProgressUntilItsResult() throws Exception {
        McpStreamableTestClient client = connect(team.sk());
        JsonNode workflows = success(client, "list_workflows", Map.of());
        JsonNode demo = workflows.path("workflow_list").get(0);
        assertThat(demo.path("workflow_slug").asText()).isEqualTo("demo-render");
        assertThat(workflows.path("page_meta").path("total_count").asInt()).isEqualTo(1);

        JsonNode byId = success(client, "get_workflow", Map.of("workflow_id", demo.path("id").asText()));
        assertThat(byId.path("parameters")).extracting(p -> p.path("key").asText()).containsExactly("prompt", "steps", "color", "attachment");
        assertThat(success(client, "get_workflow_by_slug", Map.of("workflow_slug", "demo-render@1")).path("version").asInt()).isEqualTo(1);
        assertThat(text(call(client, "get_workflow_by_slug", Map.of("workflow_slug", "demo-render")))).contains("prompt (string, required");

        JsonNode run = success(client, "run_workflow_by_slug", Map.of("workflow_slug", "demo-render",
                "parameters", Map.of("prompt", "hello from MCP", "steps", 3)));
        String task = run.path("task_id").asText();
        assertThat(task).hasSize(36);

        AtomicReference<ToolResponse> streamed = new AtomicReference<>();
        client.when().toolsCall("stream_task_events").withArguments(Map.of("task_id", task, "timeout_seconds", 90))
                .withMetadata(Map.of("progressToken", "follow-1")).withAssert(streamed::set).send().thenAssertResults();
        JsonNode end = structured(streamed.get());
        assertThat(end.path("status").asText()).isEqualTo("completed");
        assertThat(end.path("timed_out").asBoolean()).isFalse();
        assertThat(end.path("result").path("download_urls").fieldNames()).toIterable().isNotEmpty();
        List<JsonObject> progress = client.snapshot().notifications().stream()
                .filter(n -> "notifications/progress".equals(n.getString("method"))).map(n -> n.getJsonObject("params")).toList();
        assertThat(progress).allSatisfy(p -> assertThat(p.getString("progressToken")).isEqualTo("follow-1"));
        List<String> messages = progress.stream().map(p -> p.getString("message")).toList();
        assertThat(messages).as("one notification per state, then progress").contains("status: pending", "completed")
                .anySatisfy(m -> assertThat(m).startsWith("status: queued"))
                .anySatisfy(m -> assertThat(m).startsWith("status: running"))
                .anySatisfy(m -> assertThat(m).startsWith("running: ").contains("step"));
        assertThat(progress).extracting(p -> p.getDouble("progress")).isSorted().doesNotHaveDuplicates();

        JsonNode detail = success(client, "get_task", Map.of("task_id", task));
        assertThat(detail.path("status").asText()).isEqualTo("completed");
        assertThat(detail.path("parameters").path("prompt").asText()).isEqualTo("hello from MCP");
        JsonNode result = success(client, "get_task_result", Map.of("task_id", task));
        String url = result.path("download_urls").path("prompt.txt").asText();
        HttpResponse<String> file = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(file.body()).isEqualTo("hello from MCP\n");
        assertThat(success(client, "list_tasks", Map.of("status", "completed", "per_page", 5)).path("task_list"))
                .extracting(t -> t.path("id").asText()).contains(task);
        // Cancelling a finished task changes nothing and succeeds; its state stays.
        success(client, "cancel_task", Map.of("task_id", task));
        assertThat(success(client, "get_task", Map.of("task_id", task)).path("status").asText()).isEqualTo("completed");

        // By id, with the run body the product's skill sends; a finished task answers stream_task_events at once.
        String second = success(client, "run_workflow", Map.of("workflow_id", demo.path("id").asText(),
                "body", Map.of("parameters", Map.of("prompt", "by id", "steps", 1)))).path("task_id").asText();
        JsonNode secondEnd = success(client, "stream_task_events", Map.of("task_id", second, "timeout_seconds", 90));
        assertThat(secondEnd.path("status").asText()).isEqualTo("completed");
        assertThat(success(client, "stream_task_events", Map.of("task_id", second)).path("events_seen").asInt()).isZero();

        assertThat(success(client, "list_agents", Map.of()).path("agent_list")).extracting(a -> a.path("agent_id").asText()).contains("mcp-agent");
        JsonNode presign = success(client, "presign_file_upload", Map.of("file_name", "photo.png", "file_size", 1234, "content_type", "image/png"));
        assertThat(presign.path("upload_url").asText()).startsWith("http");
        assertThat(presign.path("file_key").asText()).isNotBlank();
        // The skill's shape: the file's metadata as `body`.
        JsonNode bySkill = success(client, "presign_file_upload", Map.of("body",
                Map.of("file_name", "photo.png", "file_size", 1234, "content_type", "image/png")));
        assertThat(bySkill.path("upload_url").asText()).startsWith("http");
        assertThat(bySkill.path("file_key").asText()).isNotBlank().isNotEqualTo(presign.path("file_key").asText());
    }

    @Test
    void aRunningTaskThatOutlastsTheTimeoutAnswersWithItsStateAndCancelling() {
        McpStreamableTestClient client = connect(team.sk());
        String task = success(client, "run_workflow_by_slug", Map.of("workflow_slug", "demo-render",
                "parameters", Map.of("prompt", "slow", "steps", 50))).path("task_id").asText();
        JsonNode waited = success(client, "stream_task_events", Map.of("task_id", task, "timeout_seconds", 2));
        assertThat(waited.path("timed_out").asBoolean()).isTrue();
        assertThat(waited.path("status").asText()).isIn("pending", "waiting", "queued", "running");
        assertThat(text(call(client, "stream_task_events", Map.of("task_id", task, "timeout_seconds", 1)))).contains("call stream_task_events again");
        success(client, "cancel_task", Map.of("task_id", task));
        assertThat(success(client, "stream_task_events", Map.of("task_id", task, "timeout_seconds", 60)).path("status").asText())
                .isEqualTo("cancelled");
    }

    @Test
    void whenTheClientCancelsStreamTaskEventsTheServerStopsFollowingTheTask() throws Exception {
        McpStreamableTestClient client = connect(team.sk());
        String task = success(client, "run_workflow_by_slug", Map.of("workflow_slug", "demo-render",
                "parameters", Map.of("prompt", "cancelled wait", "steps", 50))).path("task_id").asText();
        double before = sseSubscribers();
        JsonObject request = client.newRequest("tools/call");
        request.put("params", new JsonObject().put("name", "stream_task_events")
                .put("arguments", new JsonObject().put("task_id", task).put("timeout_seconds", 120))
                .put("_meta", new JsonObject().put("progressToken", "cancel-me")));
        client.sendAndForget(request);
        Awaitility.await().until(() -> sseSubscribers() > before);
        JsonObject cancel = client.newMessage("notifications/cancelled");
        cancel.put("params", new JsonObject().put("requestId", request.getValue("id")).put("reason", "the user changed their mind"));
        client.sendAndForget(cancel);
        // The tool closes its stream on the gateway within a poll interval, and answers nothing.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sseSubscribers() <= before);
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(client.snapshot().responses()).noneMatch(r -> request.getValue("id").equals(r.getValue("id"))));
        success(client, "cancel_task", Map.of("task_id", task));
    }

    @Test
    void badArgumentsAreToolErrorsThatSayWhatIsWrong() {
        McpStreamableTestClient client = connect(team.sk());
        assertThat(failure(client, "get_task", Map.of("task_id", "not-a-task"))).contains("HTTP 4");
        assertThat(failure(client, "get_task", Map.of("task_id", ".."))).contains("task_id is not a valid value");
        assertThat(failure(client, "get_task", Map.of("task_id", "../../credentials"))).contains("HTTP 4");
        assertThat(failure(client, "get_workflow_by_slug", Map.of("workflow_slug", "no-such-workflow"))).contains("HTTP 404");
        assertThat(failure(client, "run_workflow_by_slug", Map.of("workflow_slug", "demo-render", "parameters", Map.of("steps", 3))))
                .contains("prompt").contains("HTTP 400");
        assertThat(failure(client, "run_workflow_by_slug", Map.of("workflow_slug", "demo-render", "parameters", Map.of("prompt", "x"),
                "body", Map.of("parameters", Map.of("prompt", "y"))))).contains("either parameters or body");
        assertThat(failure(client, "list_tasks", Map.of("per_page", 1000))).contains("per_page");
        assertThat(failure(client, "stream_task_events", Map.of("task_id", "00000000-0000-0000-0000-000000000000"))).contains("HTTP 404");
        assertThat(failure(client, "stream_task_events", Map.of("task_id", "00000000-0000-0000-0000-000000000000", "timeout_seconds", 0)))
                .contains("timeout_seconds must be between 1 and 1800");
        assertThat(failure(client, "call_container_service", Map.of("service_slug", "comfy", "method", "FETCH", "path", "/")))
                .contains("method must be one of");
        assertThat(failure(client, "call_container_service", Map.of("service_slug", "comfy", "method", "POST", "path", "/x",
                "body_base64", "***"))).contains("body_base64 is not valid base64");
        assertThat(failure(client, "presign_file_upload", Map.of("file_name", "a.png", "file_size", -1, "content_type", "image/png")))
                .contains("file_size");
        assertThat(failure(client, "presign_file_upload", Map.of("body", Map.of("file_name", "a.png", "file_size", -1,
                "content_type", "image/png")))).contains("file_size").contains("HTTP 400");
        assertThat(failure(client, "presign_file_upload", Map.of("body", Map.of("file_name", "a.png", "file_size", 1,
                "content_type", "image/png"), "file_name", "b.png"))).contains("not both");
        assertThat(failure(client, "presign_file_upload", Map.of())).contains("missing the file's metadata");
        // No container service in this team: the list is empty, an unknown slug is a 404, and so is calling it.
        assertThat(success(client, "list_container_services", Map.of()).path("service_list")).isEmpty();
        assertThat(failure(client, "get_container_service", Map.of("service_slug", "comfy"))).contains("HTTP 404");
        assertThat(failure(client, "call_container_service", Map.of("service_slug", "comfy", "method", "GET", "path", "/")))
                .contains("HTTP 404");
        // A required argument left out is a tool error too (MCP 2025-11-25: input validation is not a protocol error).
        assertThat(failure(client, "get_task", Map.of())).contains("Missing required argument: task_id");
    }

    @Test
    void aViewerKeyReadsButCannotRunOrCancel() throws Exception {
        String viewer = team.integrationKey("viewer", null).path("raw_key").asText();
        McpStreamableTestClient member = connect(team.sk());
        String task = success(member, "run_workflow_by_slug", Map.of("workflow_slug", "demo-render",
                "parameters", Map.of("prompt", "viewer", "steps", 1))).path("task_id").asText();
        McpStreamableTestClient client = connect(viewer);
        assertThat(success(client, "list_workflows", Map.of()).path("workflow_list")).hasSize(1);
        assertThat(success(client, "get_task", Map.of("task_id", task)).path("id").asText()).isEqualTo(task);
        assertThat(failure(client, "run_workflow_by_slug", Map.of("workflow_slug", "demo-render", "parameters", Map.of("prompt", "no"))))
                .contains("role is too low").contains("HTTP 403");
        assertThat(failure(client, "cancel_task", Map.of("task_id", task))).contains("role is too low");
        assertThat(failure(client, "presign_file_upload", Map.of("file_name", "a.png", "file_size", 10, "content_type", "image/png")))
                .contains("role is too low");
    }

    @Test
    void anotherTeamsTaskAndWorkflowReadAsNotFound() throws Exception {
        TeamFixture other = new TeamFixture(stack, "MCP other team", stack.workflowJson());
        McpStreamableTestClient mine = connect(team.sk());
        String task = success(mine, "run_workflow_by_slug", Map.of("workflow_slug", "demo-render",
                "parameters", Map.of("prompt", "mine", "steps", 1))).path("task_id").asText();
        String workflow = success(mine, "get_workflow_by_slug", Map.of("workflow_slug", "demo-render")).path("id").asText();
        McpStreamableTestClient theirs = connect(other.sk());
        for (String tool : List.of("get_task", "get_task_result", "cancel_task", "stream_task_events")) {
            assertThat(failure(theirs, tool, Map.of("task_id", task))).as(tool).contains("HTTP 404");
        }
        assertThat(failure(theirs, "get_workflow", Map.of("workflow_id", workflow))).contains("HTTP 404");
        assertThat(failure(theirs, "run_workflow", Map.of("workflow_id", workflow, "parameters", Map.of("prompt", "x")))).contains("HTTP 404");
        assertThat(success(theirs, "list_tasks", Map.of()).path("task_list")).extracting(t -> t.path("id").asText()).doesNotContain(task);
    }

    @Test
    void theTeamsWorkflowCatalogIsReadableAsResourcesWithoutAToolCall() throws Exception {
        McpStreamableTestClient client = connect(team.sk());
        client.when().resourcesList(page -> {
            McpAssured.ResourceInfo catalog = page.findByUri("cyberun://workflows");
            assertThat(catalog).isNotNull();
            assertThat(catalog.mimeType()).isEqualTo("application/json");
            assertThat(catalog.description()).contains("parameters");
        }).resourcesTemplatesList(page -> assertThat(page.findByUriTemplate("cyberun://workflows/{workflow_slug}")).isNotNull())
                .thenAssertResults();
        AtomicReference<String> catalog = new AtomicReference<>();
        client.when().resourcesRead("cyberun://workflows", r -> catalog.set(r.firstContents().asText().text())).thenAssertResults();
        JsonNode workflows = CyberunJson.mapper().readTree(catalog.get()).path("workflows");
        JsonNode demo = null;
        for (JsonNode w : workflows) {
            if (w.path("workflow_slug").asText().equals("demo-render")) {
                demo = w;
            }
        }
        assertThat(demo).as(catalog.get()).isNotNull();
        assertThat(demo.path("parameters")).extracting(p -> p.path("key").asText()).contains("prompt");
        assertThat(demo.path("usage").asText()).contains("run_workflow_by_slug").contains("\"prompt\"");
        assertThat(demo.path("uri").asText()).isEqualTo("cyberun://workflows/demo-render");
        AtomicReference<String> one = new AtomicReference<>();
        client.when().resourcesRead("cyberun://workflows/demo-render", r -> one.set(r.firstContents().asText().text())).thenAssertResults();
        assertThat(CyberunJson.mapper().readTree(one.get()).path("id").asText()).isEqualTo(demo.path("id").asText());
        // Another team's key reads its own catalog (its own demo-render), never this team's workflows.
        TeamFixture other = new TeamFixture(stack, "MCP catalog other team", stack.workflowJson());
        McpStreamableTestClient theirs = connect(other.sk());
        AtomicReference<String> theirCatalog = new AtomicReference<>();
        theirs.when().resourcesRead("cyberun://workflows", r -> theirCatalog.set(r.firstContents().asText().text())).thenAssertResults();
        assertThat(CyberunJson.mapper().readTree(theirCatalog.get()).path("workflows")).extracting(w -> w.path("id").asText())
                .isNotEmpty().doesNotContain(demo.path("id").asText());
        AtomicReference<String> theirDemo = new AtomicReference<>();
        theirs.when().resourcesRead("cyberun://workflows/demo-render", r -> theirDemo.set(r.firstContents().asText().text())).thenAssertResults();
        assertThat(CyberunJson.mapper().readTree(theirDemo.get()).path("id").asText()).isNotEqualTo(demo.path("id").asText());
        AtomicReference<McpAssured.McpError> missing = new AtomicReference<>();
        theirs.when().resourcesRead("cyberun://workflows/no-such-workflow").withErrorAssert(missing::set).send().thenAssertResults();
        assertThat(missing.get().code()).isEqualTo(-32002);
        assertThat(missing.get().message()).contains("HTTP 404");
    }

    @Test
    void browserOriginsAreCheckedLoopbackAndOwnAllowedOthersRefused() throws Exception {
        // The Inspector's web UI runs on a loopback origin: its preflight and its requests get CORS answers.
        HttpResponse<String> preflight = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/mcp"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://localhost:6274")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type, mcp-protocol-version").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).as(preflight.body()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:6274");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization").contains("Mcp-Protocol-Version");
        for (String origin : List.of("http://localhost:6274", "http://127.0.0.1:8080", "http://[::1]:3000", "http://127.0.0.1:8080/")) {
            HttpResponse<String> r = initialize(team.sk(), Map.of("Origin", origin));
            assertThat(r.statusCode()).as(origin + ": " + r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(origin).hasValue(origin);
            assertThat(r.headers().firstValue("Access-Control-Expose-Headers").orElse("")).as(origin).contains("Mcp-Session-Id");
            assertThat(r.headers().firstValue("Mcp-Session-Id")).as(origin).isPresent();
        }
        // Any other page, however it is dressed, is refused before authentication, with what to do about it.
        for (String origin : List.of("https://evil.example", "http://localhost.evil.example", "http://127.0.0.1.nip.io:8080", "null")) {
            HttpResponse<String> r = initialize(team.sk(), Map.of("Origin", origin));
            assertThat(r.statusCode()).as(origin).isEqualTo(403);
            assertThat(CyberunJson.mapper().readTree(r.body()).path("error_message").asText()).as(origin)
                    .contains("CYBERUN_MCP_ALLOWED_ORIGINS");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(origin).isEmpty();
        }
        HttpResponse<String> foreignPreflight = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/mcp"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreignPreflight.statusCode()).isEqualTo(403);
    }

    @Test
    void onlyAnSkKeyOpensASession() throws Exception {
        JsonNode device = team.pairDevice("alice", "mcp laptop");
        JsonNode revoked = team.integrationKey("member", null);
        ok(team.asUser("alice", "DELETE", "/api/v1/credentials/" + revoked.path("id").asText(), null), 204);
        Map<String, String> refused = new HashMap<>();
        refused.put("none", null);
        refused.put("dk", device.path("raw_key").asText());
        refused.put("ak", team.ak());
        refused.put("user token", team.token("alice"));
        refused.put("revoked sk", revoked.path("raw_key").asText());
        refused.put("made up sk", "sk-" + "0".repeat(40));
        for (var e : refused.entrySet()) {
            HttpResponse<String> r = initialize(e.getValue(), Map.of());
            assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(e.getKey()).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(r.headers().firstValue("WWW-Authenticate").get()).doesNotContain("resource_metadata");
            assertThat(WalkingSkeletonIT.json(r.body()).path("error_message").asText()).as(e.getKey()).isNotBlank();
        }
        HttpResponse<String> accepted = initialize(team.sk(), Map.of());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        assertThat(accepted.headers().firstValue("Mcp-Session-Id")).isPresent();
        // A session id the gateway never issued is a 404: the client starts a new session.
        assertThat(initialize(team.sk(), Map.of("Mcp-Session-Id", "7.nonsense")).statusCode()).isEqualTo(404);
        assertThat(initialize(team.sk(), Map.of("Mcp-Session-Id", "garbage")).statusCode()).isEqualTo(404);
    }

    @Test
    void sessionsSpreadOverBothReplicasAndEachKeepsWorkingOnItsOwn() throws Exception {
        // Only what the replica logs during this test counts (the log file outlives a run in the same checkout).
        long logStart = java.nio.file.Files.size(stack.mcp.log);
        Set<String> replicas = new HashSet<>();
        List<McpStreamableTestClient> opened = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            McpStreamableTestClient client = connect(team.sk());
            opened.add(client);
            replicas.add(client.mcpSessionId().substring(0, client.mcpSessionId().indexOf('.')));
        }
        assertThat(replicas).containsExactlyInAnyOrder("0", "1");
        for (int round = 0; round < 3; round++) {
            for (McpStreamableTestClient client : opened) {
                assertThat(success(client, "list_workflows", Map.of()).path("workflow_list")).hasSize(1);
            }
        }
        // Each replica knows only its own sessions: the gateway must not have sent any request to the other one.
        String logged = java.nio.file.Files.readString(stack.mcp.log);
        assertThat(logged.substring((int) Math.min(logStart, logged.length()))).doesNotContain("Mcp session not found");
        // Ending a session (DELETE) goes to its replica too; the session is then gone.
        McpStreamableTestClient ended = opened.get(0);
        String session = ended.mcpSessionId();
        HttpResponse<String> deleted = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/mcp"))
                .header("Authorization", "Bearer " + team.sk()).header("Mcp-Session-Id", session).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        clients.remove(ended);
        assertThat(initialize(team.sk(), Map.of("Mcp-Session-Id", session)).statusCode()).isEqualTo(404);
        assertThat(java.nio.file.Files.readString(stack.mcp.log)).contains("Mcp session terminated: " + session.substring(2));
    }

    @Test
    void aKilledReplicasSessionsEndAndNewSessionsGoToTheOtherOne() throws Exception {
        McpStreamableTestClient onSecond = null;
        for (int i = 0; i < 4 && onSecond == null; i++) {
            McpStreamableTestClient c = connect(team.sk());
            if (c.mcpSessionId().startsWith("1.")) {
                onSecond = c;
            }
        }
        assertThat(onSecond).isNotNull();
        String session = onSecond.mcpSessionId();
        stack.mcp2.kill();
        try {
            assertThat(initialize(team.sk(), Map.of("Mcp-Session-Id", session)).statusCode()).as("its session is gone").isEqualTo(404);
            for (int i = 0; i < 3; i++) {
                McpStreamableTestClient fresh = connect(team.sk());
                assertThat(fresh.mcpSessionId()).startsWith("0.");
                assertThat(success(fresh, "list_workflows", Map.of()).path("workflow_list")).hasSize(1);
            }
        } finally {
            clients.remove(onSecond);
            stack.restartMcp2();
        }
        Set<String> replicas = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            String id = connect(team.sk()).mcpSessionId();
            replicas.add(id.substring(0, id.indexOf('.')));
        }
        assertThat(replicas).containsExactlyInAnyOrder("0", "1");
    }

    /** A raw {@code initialize} POST (or, with a session header, a request of that session). */
    static HttpResponse<String> initialize(String key, Map<String, String> headers) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        headers.forEach(b::header);
        return WalkingSkeletonIT.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The gateway's open SSE subscribers, from its metrics. */
    static double sseSubscribers() throws Exception {
        String metrics = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^cyberun_gateway_sse_subscribers\\S*\\s+(\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
