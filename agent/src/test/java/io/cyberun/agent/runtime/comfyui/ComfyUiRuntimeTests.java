package io.cyberun.agent.runtime.comfyui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.agent.runtime.RunOutcome;
import io.cyberun.agent.task.TaskExecution;
import io.cyberun.contracts.agent.SystemStats;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.testing.ComfyUiStub;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comfyui runtime against {@link ComfyUiStub}: ComfyUI itself cannot be installed on these machines (it needs
 * Python, PyTorch and a GPU), so the stub speaks its documented HTTP and WebSocket API instead.
 */
class ComfyUiRuntimeTests {
    static final String GRAPH = """
            {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd15.safetensors"}},
             "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "placeholder", "clip": ["4", 1]}},
             "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 4, "model": ["4", 0]}},
             "10": {"class_type": "LoadImage", "inputs": {"image": "none.png"}},
             "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "cyberun", "images": ["3", 0]}},
             "11": {"class_type": "PreviewImage", "inputs": {"filename_prefix": "preview"}}}
            """;
    static final List<ParameterDef> PARAMS = List.of(
            new ParameterDef("prompt", ParameterType.STRING, null, null, true, null, null, null, null, null, "6", "text", null, null),
            new ParameterDef("steps", ParameterType.INTEGER, null, null, false, null, null, null, null, null, "3", "steps", null, null),
            new ParameterDef("image", ParameterType.FILE, null, null, true, null, null, null, null, null, "10", "image", null, null),
            new ParameterDef("note", ParameterType.STRING, null, null, false, null, null, null, null, null, null, null, null, null));

    @TempDir
    Path dir;
    ComfyUiStub comfy;
    ComfyUiRuntime runtime;

    @BeforeEach
    void start() {
        comfy = new ComfyUiStub();
        runtime = new ComfyUiRuntime(HttpClient.newHttpClient(), CyberunJson.mapper(), comfy.url());
    }

    @AfterEach
    void stop() {
        comfy.close();
    }

    TaskExecution task(String graph, List<ParameterDef> defs, ObjectNode params, int timeout) throws Exception {
        JsonNode json = CyberunJson.mapper().readTree(graph);
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "txt2img", 1, "comfyui", json, params, defs, List.of(), null, List.of(), timeout, 0, 0);
        TaskExecution task = new TaskExecution(UUID.randomUUID(), 1, spec, Files.createDirectories(dir.resolve(UUID.randomUUID() + "/outputs")),
                List.of());
        Path image = Files.write(Files.createDirectories(dir.resolve("in")).resolve("cat.png"), new byte[] {1, 2, 3});
        task.inputsReady(Map.of("image", image));
        return task;
    }

    ObjectNode params(int steps) {
        return CyberunJson.mapper().createObjectNode().put("prompt", "a red fox").put("steps", steps).put("image", "inputs/t/u/cat.png")
                .put("note", "not injected");
    }

    @Test
    void parametersAreInjectedProgressFollowedAndOnlyOutputFilesFetched() throws Exception {
        TaskExecution task = task(GRAPH, PARAMS, params(6), 0);
        RunOutcome outcome = runtime.run(task);
        assertThat(outcome.success()).as(outcome.error()).isTrue();

        JsonNode sent = comfy.prompts.get(0);
        assertThat(sent.path("6").path("inputs").path("text").asText()).isEqualTo("a red fox");
        assertThat(sent.path("3").path("inputs").path("steps").asInt()).isEqualTo(6);
        assertThat(sent.path("6").path("inputs").path("clip").toString()).isEqualTo("[\"4\",1]");
        String uploadedAs = sent.path("10").path("inputs").path("image").asText();
        assertThat(uploadedAs).isEqualTo("cyberun/" + task.taskId() + "/cat.png");
        assertThat(comfy.uploaded(uploadedAs)).containsExactly(1, 2, 3);

        // The SaveImage output (the stub writes the node's inputs into it); the temp preview is not an output.
        try (var files = Files.list(task.outputDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("cyberun_00001_.png");
        }
        assertThat(Files.readString(task.outputDir().resolve("cyberun_00001_.png"))).contains("\"filename_prefix\":\"cyberun\"");
        var progress = task.drainProgress().getLast();
        assertThat(progress.progress()).isBetween(0.0, 1.0);
        assertThat(task.drainLogs()).extracting(LogLine::text).contains("running node 3 (KSampler)", "fetched 1 output file(s) from ComfyUI");
    }

    @Test
    void theSamplersPreviewFramesReachTheTaskAsItsLatestPreview() throws Exception {
        TaskExecution task = task(GRAPH, PARAMS, params(4), 0);
        assertThat(runtime.run(task).success()).isTrue();
        TaskExecution.Preview preview = task.drainPreview();
        assertThat(preview).as("a preview frame of the sampler").isNotNull();
        assertThat(preview.contentType()).isEqualTo("image/png");
        assertThat(preview.nodeId()).isEqualTo("3");
        assertThat(preview.image()).startsWith(0x89, 'P', 'N', 'G');
        assertThat(preview.image()).isEqualTo(io.cyberun.testing.ComfyUiStub.previewImage(4));
        assertThat(task.drainPreview()).as("only the latest is kept, and it went").isNull();
    }

    @Test
    void binaryMessagesArePreviewsInEitherOfComfyUisFormsAndAnythingElseIsSkipped() {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.nio.ByteBuffer classic = java.nio.ByteBuffer.allocate(11).putInt(1).putInt(1).put(new byte[] {9, 8, 7}).flip();
        var jpeg = ComfyUiClient.Events.preview(classic, json);
        assertThat(jpeg.contentType()).isEqualTo("image/jpeg");
        assertThat(jpeg.nodeId()).isNull();
        assertThat(jpeg.image()).containsExactly(9, 8, 7);

        byte[] meta = "{\"node_id\":\"12\",\"display_node_id\":\"7\",\"image_type\":\"image/webp\"}".getBytes();
        java.nio.ByteBuffer withMetadata = java.nio.ByteBuffer.allocate(8 + meta.length + 2).putInt(4).putInt(meta.length).put(meta)
                .put(new byte[] {1, 2}).flip();
        var webp = ComfyUiClient.Events.preview(withMetadata, json);
        assertThat(webp.contentType()).isEqualTo("image/webp");
        assertThat(webp.nodeId()).isEqualTo("7");
        assertThat(webp.image()).containsExactly(1, 2);

        assertThat(ComfyUiClient.Events.preview(java.nio.ByteBuffer.allocate(8).putInt(2).putInt(0).flip(), json)).as("unencoded").isNull();
        assertThat(ComfyUiClient.Events.preview(java.nio.ByteBuffer.allocate(8).putInt(1).putInt(9).flip(), json)).as("image type").isNull();
        assertThat(ComfyUiClient.Events.preview(java.nio.ByteBuffer.allocate(2).flip(), json)).as("too short").isNull();
        assertThat(ComfyUiClient.Events.preview(java.nio.ByteBuffer.allocate(8).putInt(4).putInt(99).flip(), json)).as("length").isNull();
    }

    @Test
    void progressReportsTheSamplersSteps() throws Exception {
        comfy.stepMillis = 150;
        TaskExecution task = task(GRAPH, PARAMS, params(8), 0);
        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.run(task);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<io.cyberun.contracts.task.ProgressInfo> reported = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            reported.addAll(task.drainProgress());
            return reported.stream().anyMatch(p -> p.stepTotal() != null);
        });
        io.cyberun.contracts.task.ProgressInfo seen = reported.stream().filter(p -> p.stepTotal() != null).findFirst().orElseThrow();
        assertThat(seen.currentNode()).isEqualTo("3");
        assertThat(seen.stepTotal()).isEqualTo(8);
        assertThat(run.get().success()).isTrue();
    }

    @Test
    void aGraphComfyUiRefusesFailsWithItsNodeErrors() throws Exception {
        RunOutcome outcome = runtime.run(task("""
                {"4": {"class_type": "Invalid", "inputs": {"ckpt_name": "missing.safetensors"}}}""", List.of(), null, 0));
        assertThat(outcome.error()).isEqualTo("ComfyUI refused the graph: Prompt outputs failed validation; node 4 (Invalid): "
                + "Value not in list: ckpt_name: 'missing.safetensors' not in []");
    }

    @Test
    void aNodeThatFailsFailsTheTaskNamingTheNode() throws Exception {
        RunOutcome outcome = runtime.run(task("""
                {"1": {"class_type": "KSampler", "inputs": {"steps": 1}}, "5": {"class_type": "Explode", "inputs": {}}}""", List.of(), null, 0));
        assertThat(outcome.error()).isEqualTo("node 5 (Explode) failed: RuntimeError: boom");
    }

    @Test
    void withoutEventsThePromptIsFollowedThroughHistory() throws Exception {
        comfy.events = false;
        TaskExecution task = task(GRAPH, PARAMS, params(2), 0);
        RunOutcome outcome = runtime.run(task);
        assertThat(outcome.success()).as(outcome.error()).isTrue();
        assertThat(task.outputDir().resolve("cyberun_00001_.png")).exists();
    }

    @Test
    void cancellingInterruptsThePromptInComfyUi() throws Exception {
        comfy.stepMillis = 200;
        TaskExecution task = task(GRAPH, PARAMS, params(100), 0);
        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.run(task);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Cancelled while ComfyUI runs the prompt and the runtime follows it (its steps are reported).
        await().atMost(Duration.ofSeconds(10)).until(() -> !task.drainProgress().isEmpty());
        task.cancel();
        assertThat(run.get(10, java.util.concurrent.TimeUnit.SECONDS).error()).isEqualTo("cancelled");
        assertThat(comfy.interrupts).hasSize(1);
    }

    @Test
    void aPromptAnEarlierRunOfTheAgentLeftIsRemovedWhenTheAgentStarts() throws Exception {
        comfy.stepMillis = 200;
        TaskExecution orphan = task(GRAPH, PARAMS, params(100), 0);
        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.run(orphan);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The earlier run's prompt is running in ComfyUI (its steps are reported) when the new agent starts.
        await().atMost(Duration.ofSeconds(10)).until(() -> !orphan.drainProgress().isEmpty());
        new ComfyUiRuntime(HttpClient.newHttpClient(), CyberunJson.mapper(), comfy.url()).recover();
        assertThat(comfy.interrupts).hasSize(1);
        assertThat(comfy.deleted).isEqualTo(comfy.interrupts);
        assertThat(run.get(10, java.util.concurrent.TimeUnit.SECONDS).error()).startsWith("the prompt was interrupted in ComfyUI");
    }

    @Test
    void aPromptRunningPastTheTimeoutIsInterrupted() throws Exception {
        comfy.stepMillis = 200;
        RunOutcome outcome = runtime.run(task(GRAPH, PARAMS, params(100), 1));
        assertThat(outcome.error()).isEqualTo("ComfyUI ran longer than 1 s; the prompt was interrupted");
        assertThat(comfy.interrupts).hasSize(1);
    }

    @Test
    void aWorkflowNotInApiFormatOrAParameterWithoutItsNodeFailsBeforeComfyUiIsCalled() throws Exception {
        assertThat(runtime.run(task("""
                {"nodes": [{"id": 3, "type": "KSampler"}], "links": []}""", List.of(), null, 0)).error())
                .contains("not in ComfyUI's API format");
        List<ParameterDef> lost = List.of(new ParameterDef("prompt", ParameterType.STRING, null, null, true, null, null, null, null, null,
                "99", "text", null, null));
        assertThat(runtime.run(task(GRAPH, lost, params(1), 0)).error()).isEqualTo("parameter prompt targets node 99, which the graph does not have");
        assertThat(comfy.prompts).isEmpty();
    }

    @Test
    void healthAndVersionsComeFromSystemStats() {
        assertThat(runtime.healthProblem()).isNull();
        SystemStats stats = runtime.describe(new SystemStats(null, null, "Linux", "linux/amd64", List.of()));
        assertThat(stats.comfyuiVersion()).isEqualTo("0.3.40");
        assertThat(stats.pytorchVersion()).isEqualTo("2.7.0+cu128");
        assertThat(stats.gpuDevices()).singleElement().satisfies(g -> assertThat(g.vramTotal()).isEqualTo(25_769_803_776L));
        comfy.healthy = false;
        assertThat(runtime.healthProblem()).startsWith("ComfyUI at " + comfy.url() + "/ does not answer /system_stats");
    }
}
