package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.testing.ComfyUiStub;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Agents for real: packaged hub and scheduler replicas, reference agents as processes, real Kafka, Redis, S3 and
 * PostgreSQL. Processes are killed with SIGKILL. Every run of the test command is written by the command itself to a
 * runs file ({@code start}, then {@code end} or {@code stop}), so "ran once" is counted on the agent side.
 */
@ExtendWith(SharedStack.class)
class AgentsIT {
    static final Duration LONG = Duration.ofSeconds(120);
    static CyberunStack stack;
    static Path script;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        script = stack.root.resolve("e2e/src/test/resources/agents/work.sh");
    }

    /** A team with the "work" workflow (exec, the given labels, retries) and what its agents need. */
    record Team(String key, String agentKey, Path runs) {
    }

    static Team team(String name, String labels, int maxRetries, String... extraWorkflows) throws Exception {
        String work = """
                {"workflow_slug": "work", "display_name": "Work", "tool_type": "exec", "workflow_json": {"command": "work"},
                 "parameters": [{"key": "token", "type": "string", "default": "-"}, {"key": "seconds", "type": "number", "default": 0},
                                {"key": "retry_seconds", "type": "number"},
                                {"key": "source", "type": "file"}, {"key": "picture", "type": "file", "accept": ["image/png", ".webp"]}],
                 "required_labels": [%s], "max_retries": %d}""".formatted(quoted(labels), maxRetries);
        List<String> all = new ArrayList<>(List.of(work));
        all.addAll(List.of(extraWorkflows));
        String owner = name.toLowerCase().replaceAll("[^a-z0-9]", "") + "@example.com";
        JsonNode team = WalkingSkeletonIT.bootstrap(stack, name, owner, all.toArray(String[]::new));
        Path runs = stack.logs.resolve("runs-" + UUID.randomUUID() + ".log");
        Files.createFile(runs);
        return new Team(team.path("integration_key").asText(), team.path("agent_key").asText(), runs);
    }

    static String quoted(String labels) {
        return String.join(", ", java.util.Arrays.stream(labels.split(",")).map(l -> "\"" + l.strip() + "\"").toList());
    }

    static CyberunStack.AgentOptions agent(Team team, String id, String labels) {
        return new CyberunStack.AgentOptions(id, team.agentKey(), labels).command("work", script).env("CYBERUN_RUNS_FILE", team.runs().toString());
    }

    static String run(Team team, String slug, String parameters) throws Exception {
        HttpResponse<String> r = WalkingSkeletonIT.call("POST", "/api/v1/r/workflows/slug/" + slug + "/run", team.key(),
                "{\"parameters\":" + parameters + "}", Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return WalkingSkeletonIT.json(r.body()).path("task_id").asText();
    }

    static JsonNode task(Team team, String id) throws Exception {
        return WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + id, team.key(), null, Map.of()).body());
    }

    static JsonNode await(Team team, String id, String status, Duration timeout) throws Exception {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
            last.set(task(team, id));
            assertThat(last.get().path("status").asText()).as("task %s: %s", id, last.get()).isEqualTo(status);
        });
        return last.get();
    }

    /** The runs file's lines: event, time (µs), agent, task, attempt. */
    record Run(String event, long at, String agent, String task, int attempt) {
    }

    static List<Run> runs(Team team) throws Exception {
        List<Run> all = new ArrayList<>();
        for (String line : Files.readAllLines(team.runs())) {
            String[] f = line.split(" ");
            all.add(new Run(f[0], Long.parseLong(f[1]), f[2], f[3], Integer.parseInt(f[4])));
        }
        return all;
    }

    static List<Run> runs(Team team, String task) throws Exception {
        return runs(team).stream().filter(r -> r.task().equals(task)).toList();
    }

    static void awaitRun(Team team, String task, String event) {
        Awaitility.await().atMost(LONG).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(runs(team, task)).extracting(Run::event).contains(event));
    }

    @Test
    void aFileParameterIsDownloadedByTheAgentAndItsCopyComesBack() throws Exception {
        Team team = team("Files team", "exec, files", 0);
        stack.agent(agent(team, "files-agent", "exec, files"));
        byte[] content = ("input bytes " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        JsonNode presigned = WalkingSkeletonIT.json(WalkingSkeletonIT.call("POST", "/api/v1/r/files/presign", team.key(),
                "{\"file_name\":\"scan.txt\",\"file_size\":" + content.length + ",\"content_type\":\"text/plain\"}", Map.of()).body());
        assertThat(upload(presigned, content)).isEqualTo(200);

        // A presign that names the parameter is checked against its accept list before any URL is issued.
        HttpResponse<String> refused = WalkingSkeletonIT.call("POST", "/api/v1/r/files/presign", team.key(),
                "{\"file_name\":\"notes.txt\",\"file_size\":3,\"content_type\":\"text/plain\",\"workflow_slug\":\"work\",\"parameter_key\":\"picture\"}",
                Map.of());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(WalkingSkeletonIT.json(refused.body()).path("details").get(0).path("field").asText()).isEqualTo("content_type");
        HttpResponse<String> allowed = WalkingSkeletonIT.call("POST", "/api/v1/r/files/presign", team.key(),
                "{\"file_name\":\"photo.webp\",\"file_size\":3,\"content_type\":\"image/webp\",\"workflow_slug\":\"work\",\"parameter_key\":\"picture\"}",
                Map.of());
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(WalkingSkeletonIT.call("POST", "/api/v1/r/files/presign", team.key(),
                "{\"file_name\":\"a.png\",\"file_size\":3,\"content_type\":\"image/png\",\"workflow_slug\":\"nope\",\"parameter_key\":\"picture\"}",
                Map.of()).statusCode()).isEqualTo(400);

        String id = run(team, "work", "{\"source\":\"" + presigned.path("file_key").asText() + "\"}");
        await(team, id, "completed", LONG);
        JsonNode result = WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + id + "/result", team.key(), null, Map.of()).body());
        String url = result.path("download_urls").path("copy-of-scan.txt").asText();
        assertThat(url).as(result.toString()).isNotEmpty();
        byte[] copy = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(copy).isEqualTo(content);
    }

    @Test
    void cancellingARunningTaskStopsItsProcessOnTheAgent() throws Exception {
        Team team = team("Cancel team", "exec, cancel", 0);
        stack.agent(agent(team, "cancel-agent", "exec, cancel"));
        String id = run(team, "work", "{\"seconds\": 120}");
        awaitRun(team, id, "start");
        await(team, id, "running", LONG);
        HttpResponse<String> cancel = WalkingSkeletonIT.call("POST", "/api/v1/r/tasks/" + id + "/cancel", team.key(), null, Map.of());
        assertThat(cancel.statusCode()).isEqualTo(200);
        await(team, id, "cancelled", Duration.ofSeconds(10));
        awaitRun(team, id, "stop");
        assertThat(runs(team, id)).extracting(Run::event).containsExactly("start", "stop");
        // The slot is free again: the next task runs at once.
        String next = run(team, "work", "{}");
        await(team, next, "completed", LONG);
    }

    @Test
    void anAgentKilledMidTaskHasTheTaskRetriedOnAnother() throws Exception {
        Team team = team("Agent crash team", "exec, crash-agent", 1);
        ServiceProcess doomed = stack.agent(agent(team, "doomed", "exec, crash-agent"));
        // Long enough that the first attempt is still running when the agent is killed, however slow the machine.
        String id = run(team, "work", "{\"seconds\": 120, \"retry_seconds\": 1}");
        awaitRun(team, id, "start");
        stack.agent(agent(team, "survivor", "exec, crash-agent"));
        doomed.kill();
        JsonNode done = await(team, id, "completed", LONG);
        assertThat(done.path("agent_id").asText()).isEqualTo("survivor");
        assertThat(done.path("retry_count").asInt()).isEqualTo(1);
        List<Run> runs = runs(team, id);
        assertThat(runs).filteredOn(r -> r.event().equals("end")).extracting(Run::agent).containsExactly("survivor");
        // The killed agent's command did not outlive it: it was stopped before the retry started.
        Run stopped = runs.stream().filter(r -> r.agent().equals("doomed") && r.event().equals("stop")).findFirst().orElseThrow();
        Run retried = runs.stream().filter(r -> r.agent().equals("survivor") && r.event().equals("start")).findFirst().orElseThrow();
        assertThat(retried.at()).isGreaterThan(stopped.at());
        // The retry backed off before it was dispatched again, and the task's log says why and for how long.
        JsonNode events = WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + id + "/events?after=0", team.key(), null, Map.of()).body());
        JsonNode retry = java.util.stream.StreamSupport.stream(events.path("events").spliterator(), false)
                .filter(e -> e.path("data").has("retry_at")).findFirst().orElseThrow();
        Instant retryAt = Instant.parse(retry.path("data").path("retry_at").asText());
        assertThat(retried.at()).as("the retry started after its back-off").isGreaterThanOrEqualTo(retryAt.toEpochMilli() * 1_000);
        assertThat(done.path("last_logs").findValuesAsText("text"))
                .anyMatch(line -> line.matches("retry 1 of 1 in \\d+ s: attempt 1 on agent doomed failed: agent doomed .*"));
    }

    @Test
    void whenAHubReplicaIsKilledItsAgentsMoveToAnotherAndKeepTheirTasks() throws Exception {
        Team team = team("Hub crash team", "exec, hub-move", 1);
        ServiceProcess hub2 = stack.extraHub();
        stack.agent(agent(team, "mover", "exec, hub-move").hubs(hub2, stack.hub));
        String id = run(team, "work", "{\"seconds\": 6}");
        awaitRun(team, id, "start");
        await(team, id, "running", LONG);
        hub2.kill();
        JsonNode done = await(team, id, "completed", LONG);
        assertThat(done.path("retry_count").asInt()).isZero();
        assertThat(runs(team, id)).extracting(Run::event).containsExactly("start", "end");
        JsonNode agents = WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/agents", team.key(), null, Map.of()).body());
        assertThat(agents.path("agent_list").get(0).path("gateway_id").asText()).isEqualTo("hub-e2e1");
    }

    @Test
    void whenAHubDiesWithAnAgentThatCannotReconnectTheAgentStopsAndTheTaskRunsElsewhereAfterwards() throws Exception {
        Team team = team("Hub loss team", "exec, hub-loss", 1);
        ServiceProcess lonelyHub = stack.extraHub();
        stack.agent(agent(team, "stranded", "exec, hub-loss").hubs(lonelyHub));
        String id = run(team, "work", "{\"seconds\": 60, \"retry_seconds\": 0}");
        awaitRun(team, id, "start");
        await(team, id, "running", LONG);
        stack.agent(agent(team, "rescuer", "exec, hub-loss"));
        lonelyHub.kill();

        JsonNode done = await(team, id, "completed", LONG);
        assertThat(done.path("agent_id").asText()).isEqualTo("rescuer");
        assertThat(done.path("retry_count").asInt()).isEqualTo(1);
        List<Run> runs = runs(team, id);
        Run stopped = runs.stream().filter(r -> r.agent().equals("stranded") && r.event().equals("stop")).findFirst().orElseThrow();
        Run restarted = runs.stream().filter(r -> r.agent().equals("rescuer") && r.event().equals("start")).findFirst().orElseThrow();
        assertThat(stopped.attempt()).isEqualTo(1);
        assertThat(restarted.attempt()).isEqualTo(2);
        assertThat(restarted.at()).as("the retry starts only after the stranded agent stopped the first attempt").isGreaterThan(stopped.at());
        assertThat(runs).filteredOn(r -> r.event().equals("end")).extracting(Run::agent).containsExactly("rescuer");
    }

    @Test
    void aComfyUiWorkflowRunsThroughTheAgentsComfyUiRuntime() throws Exception {
        // ComfyUI cannot be installed on these machines: the stub speaks its documented API (see ComfyUiStub).
        try (ComfyUiStub comfy = new ComfyUiStub()) {
            String workflow = """
                    {"workflow_slug": "txt2img", "display_name": "Text to image", "tool_type": "comfyui",
                     "workflow_json": {"6": {"class_type": "CLIPTextEncode", "inputs": {"text": "placeholder"}},
                                       "3": {"class_type": "KSampler", "inputs": {"steps": 20, "seed": 1}},
                                       "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["3", 0]}}},
                     "parameters": [{"key": "prompt", "type": "string", "required": true, "node_id": "6", "field": "text"},
                                    {"key": "steps", "type": "integer", "default": 4, "node_id": "3", "field": "steps"}],
                     "required_labels": ["comfyui"]}""";
            Team team = team("Comfy team", "exec, comfy-unused", 0, workflow);
            stack.agent(agent(team, "comfy-agent", "gpu, comfyui").comfyui(comfy.url()));

            // Long enough steps that the sampler's previews (at most one a second) go out while the task runs.
            comfy.stepMillis = 400;
            String id = run(team, "txt2img", "{\"prompt\": \"a lighthouse at dusk\", \"steps\": 8}");
            await(team, id, "completed", LONG);
            comfy.stepMillis = 20;
            assertPreviews(team, id);
            assertThat(comfy.prompts.get(0).path("6").path("inputs").path("text").asText()).isEqualTo("a lighthouse at dusk");
            assertThat(comfy.prompts.get(0).path("3").path("inputs").path("steps").asInt()).isEqualTo(8);
            JsonNode result = WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + id + "/result", team.key(), null, Map.of())
                    .body());
            // Keyed as the notes show ComfyUI outputs: node.kind.index.
            assertThat(result.path("download_urls").fieldNames()).toIterable().containsExactly("9.images.0");
            assertThat(result.path("task_output").path("files").get(0).path("name").asText()).isEqualTo("ComfyUI_00001_.png");
            String url = result.path("download_urls").path("9.images.0").asText();
            String image = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(image).as("the stub's SaveImage output holds the node's inputs").contains("\"filename_prefix\":\"ComfyUI\"");
            JsonNode listed = agentRecord(team, "comfy-agent");
            assertThat(listed.path("comfyui_version").asText()).isEqualTo("0.3.40");
            assertThat(listed.path("system_stats").path("gpu_devices").get(0).path("vram_total").asLong()).isEqualTo(25_769_803_776L);
            // Labels derived from the tools and the GPU ComfyUI reports, after the configured ones.
            assertThat(listed.path("agent_labels")).extracting(JsonNode::asText).startsWith("gpu", "comfyui")
                    .contains("exec", "gpu-rtx-4090").doesNotContain("cpu");

            // ComfyUI stops answering: the agent reports unhealthy and gets no task until ComfyUI is back.
            comfy.healthy = false;
            awaitAgentStatus(team, "comfy-agent", "unhealthy");
            String waiting = run(team, "txt2img", "{\"prompt\": \"later\"}");
            await(team, waiting, "waiting", Duration.ofSeconds(30));
            comfy.healthy = true;
            // Healthy again: the agent takes the waiting task at once (so "idle" may only show once it is done).
            await(team, waiting, "completed", LONG);
            awaitAgentStatus(team, "comfy-agent", "idle");
        }
    }

    /** The sampler's previews reached the task's events, and the latest one reads as the image for its team only. */
    static void assertPreviews(Team team, String id) throws Exception {
        JsonNode events = WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + id + "/events?after=0", team.key(), null, Map.of()).body());
        List<JsonNode> previews = java.util.stream.StreamSupport.stream(events.path("events").spliterator(), false)
                .filter(e -> e.path("event").asText().equals("preview")).toList();
        assertThat(previews).as(events.toString()).isNotEmpty();
        JsonNode last = previews.getLast().path("data");
        assertThat(last.path("content_type").asText()).isEqualTo("image/png");
        assertThat(last.path("node_id").asText()).isEqualTo("3");
        HttpResponse<byte[]> image = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + last.path("url").asText()))
                .header("Authorization", "Bearer " + team.key()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(image.headers().firstValue("X-Preview-Id")).hasValue(last.path("preview_id").asText());
        assertThat(java.util.stream.IntStream.rangeClosed(1, 8).mapToObj(io.cyberun.testing.ComfyUiStub::previewImage))
                .as("one of the sampler's frames").anySatisfy(frame -> assertThat(image.body()).isEqualTo(frame));
        Team other = team("Preview outsider", "exec, preview-outsider", 0);
        assertThat(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + id + "/preview", other.key(), null, Map.of()).statusCode())
                .as("another team's task has no preview for it").isEqualTo(404);
        assertThat(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + UUID.randomUUID() + "/preview", team.key(), null, Map.of()).statusCode())
                .isEqualTo(404);

        // The task page (headless Chromium) shows the latest preview, fetched with its stream token.
        NodeClients.install();
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertThat(chromium).as("Debian's chromium is needed for the task page test: bin/test installs it (apt-get install chromium)").isExecutable();
        JsonNode token = WalkingSkeletonIT.json(WalkingSkeletonIT.call("POST", "/api/v1/r/tasks/" + id + "/stream-token", team.key(), null, Map.of()).body());
        Path screenshot = stack.root.resolve("e2e/target/screenshots/comfyui-task-page.png");
        Files.createDirectories(screenshot.getParent());
        NodeClients.Run browser = NodeClients.node(List.of("task-page.mjs", stack.gateway.url() + token.path("page_url").asText(), screenshot.toString()),
                Map.of("CHROMIUM", chromium.toString()), 180);
        assertThat(browser.exit()).as(browser.describe()).isZero();
        JsonNode page = browser.summary().path("live_preview");
        assertThat(page.path("shown").asBoolean()).as(browser.summary().toString()).isTrue();
        assertThat(page.path("loaded").asBoolean()).as(page.toString()).isTrue();
        assertThat(page.path("width").asInt()).as("the stub's 64 px frames").isEqualTo(64);
        assertThat(page.path("id").asText()).isEqualTo(last.path("preview_id").asText());
        // Outputs keyed by ComfyUI's output id still show as the images they are (the stub's bytes are no real PNG).
        assertThat(browser.summary().path("previews").findValuesAsText("alt")).containsExactly("ComfyUI_00001_.png");
        assertThat(browser.summary().path("downloads").findValuesAsText("text")).containsExactly("Download 9.images.0 (ComfyUI_00001_.png)");
    }

    @Test
    void aTaskNeedingAModelTheAgentLacksProvisionsItThereFirst() throws Exception {
        // The owner is a Keycloak user: models are managed with a user token (or a dk- key), not the sk- key.
        String workflow = """
                {"workflow_slug": "needs-model", "display_name": "Needs a model", "tool_type": "exec", "workflow_json": {"command": "work"},
                 "parameters": [{"key": "token", "type": "string", "default": "-"}],
                 "required_labels": ["exec", "model-sync"], "required_models": ["checkpoints/tiny/e2e.safetensors"]}""";
        JsonNode boot = WalkingSkeletonIT.bootstrap(stack, "Model team " + UUID.randomUUID().toString().substring(0, 8), "alice@example.com", workflow);
        Path runsFile = stack.logs.resolve("runs-" + UUID.randomUUID() + ".log");
        Files.createFile(runsFile);
        Team team = new Team(boot.path("integration_key").asText(), boot.path("agent_key").asText(), runsFile);
        Map<String, String> asAlice = Map.of("X-Team-ID", boot.path("team_id").asText());
        String alice = WalkingSkeletonIT.userToken(stack, "alice", stack.ctx.endpoints().alicePassword());

        // The agent is there before the model exists, so its sync at connect cannot have brought it.
        stack.agent(agent(team, "model-agent", "exec, model-sync"));
        awaitAgentStatus(team, "model-agent", "idle");
        byte[] weights = ("tiny weights " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        JsonNode presigned = WalkingSkeletonIT.json(WalkingSkeletonIT.call("POST", "/api/v1/models/presign", alice,
                "{\"file_name\":\"e2e.safetensors\",\"file_size\":" + weights.length
                        + ",\"model_type\":\"checkpoints\",\"model_path\":\"tiny/e2e.safetensors\"}", asAlice).body());
        assertThat(upload(presigned, weights)).isEqualTo(200);
        String hash = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(weights));
        HttpResponse<String> registered = WalkingSkeletonIT.call("POST", "/api/v1/models", alice, """
                {"display_name": "Tiny", "model_type": "checkpoints", "model_path": "tiny/e2e.safetensors", "storage_key": "%s",
                 "file_size": %d, "file_hash": "%s"}""".formatted(presigned.path("storage_key").asText(), weights.length, hash), asAlice);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        assertThat(WalkingSkeletonIT.call("GET", "/api/v1/models", team.key(), null, Map.of()).statusCode())
                .as("the sk- key has no access to the management API").isEqualTo(401);

        String id = run(team, "needs-model", "{}");
        await(team, id, "completed", LONG);
        SseClient sse = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + id + "/events", team.key(), null);
        assertThat(sse.done.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
        List<String> states = sse.events.stream().filter(e -> e.name().equals("status") || e.name().equals("completed"))
                .map(e -> e.data().path("status").asText()).toList();
        assertThat(states).containsSubsequence("provisioning", "queued", "running", "completed");
        Path synced = stack.logs.resolve("agent-model-agent/work/models/checkpoints/tiny/e2e.safetensors");
        assertThat(Files.readAllBytes(synced)).isEqualTo(weights);

        // The agent has the model now: the next run goes straight to the queue.
        String next = run(team, "needs-model", "{}");
        await(team, next, "completed", LONG);
        SseClient again = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + next + "/events", team.key(), null);
        assertThat(again.done.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(again.events).extracting(e -> e.data().path("status").asText()).doesNotContain("provisioning");
    }

    /** PUTs to a presign answer's {@code upload_url} with its {@code upload_headers}; returns the store's status. */
    static int upload(JsonNode presigned, byte[] body) throws Exception {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        presigned.path("upload_headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        return io.cyberun.testing.PresignedPut.send(presigned.path("upload_url").asText(), headers, body).statusCode();
    }

    static JsonNode agentRecord(Team team, String agentId) throws Exception {
        JsonNode agents = WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/agents", team.key(), null, Map.of()).body());
        for (JsonNode a : agents.path("agent_list")) {
            if (a.path("agent_id").asText().equals(agentId)) {
                return a;
            }
        }
        throw new AssertionError(agentId + " is not listed: " + agents);
    }

    /** Until the agent is listed with this status (while it is still connecting it is not listed at all). */
    static void awaitAgentStatus(Team team, String agentId, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(agentRecord(team, agentId).path("agent_status").asText()).isEqualTo(status));
    }

    @Test
    void aThousandTasksAreDrainedByTenAgentsThroughTwoSchedulersEachRunExactlyOnce() throws Exception {
        Team team = team("Drain team", "exec, drain", 0);
        stack.extraScheduler();
        List<java.util.concurrent.CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            CyberunStack.AgentOptions options = agent(team, "drain-" + i, "exec, drain").capacity(2);
            starting.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return stack.agent(options);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        starting.forEach(java.util.concurrent.CompletableFuture::join);

        int total = 1000;
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<?>> submitted = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                int n = i;
                submitted.add(pool.submit(() -> {
                    ids.add(run(team, "work", "{\"token\": \"t" + n + "\"}"));
                    return null;
                }));
            }
            for (var f : submitted) {
                f.get();
            }
        }
        assertThat(ids).hasSize(total).doesNotHaveDuplicates();

        Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode page = WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks?status=completed&per_page=1", team.key(), null,
                    Map.of()).body());
            assertThat(page.path("page_meta").path("total_count").asLong())
                    .as("completed tasks (%d runs ended)", runs(team).stream().filter(r -> r.event().equals("end")).count()).isEqualTo(total);
        });

        List<Run> runs = runs(team);
        Map<String, Long> ends = new HashMap<>();
        runs.stream().filter(r -> r.event().equals("end")).forEach(r -> ends.merge(r.task(), 1L, Long::sum));
        assertThat(ends.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ends.values()).as("each task ran exactly once").allMatch(n -> n == 1);
        assertThat(runs).filteredOn(r -> r.event().equals("start")).hasSize(total);
        Map<String, List<Run>> byAgent = new HashMap<>();
        runs.forEach(r -> byAgent.computeIfAbsent(r.agent(), a -> new ArrayList<>()).add(r));
        assertThat(byAgent.keySet()).as("every agent took work").hasSize(10);
        byAgent.forEach((agent, lines) -> {
            int now = 0;
            int max = 0;
            for (Run r : lines.stream().sorted(java.util.Comparator.comparingLong(Run::at)).toList()) {
                now += r.event().equals("start") ? 1 : -1;
                max = Math.max(max, now);
            }
            assertThat(max).as("tasks running at once on %s", agent).isLessThanOrEqualTo(2);
        });
    }
}
