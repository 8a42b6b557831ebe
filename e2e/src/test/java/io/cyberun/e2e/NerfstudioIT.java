package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Nerfstudio workflow on a real agent process whose nerfstudio runtime runs the stand-in {@code ns-*} tools
 * ({@code deploy/local/nerfstudio}): a capture uploaded as a file parameter is processed, trained and exported, its
 * stages arrive in order over SSE, its export downloads; cancelled mid-training, no process of it is left.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedStack.class)
class NerfstudioIT {
    static final String WORKFLOW = """
            {"workflow_slug": "splat", "display_name": "Gaussian splat from photos", "tool_type": "nerfstudio",
             "workflow_json": {"process_data": {"type": "images", "data": ""},
                               "train": {"method": "splatfacto", "max_num_iterations": 30000},
                               "export": {"type": "gaussian-splat"}},
             "parameters": [{"key": "capture", "type": "file", "required": true, "target_path": "process_data.data", "accept": [".zip"]},
                            {"key": "steps", "type": "integer", "default": 30000, "min": 100, "target_path": "train.max_num_iterations"}],
             "required_labels": ["nerfstudio"], "task_timeout": 600}""";
    static CyberunStack stack;
    static AgentsIT.Team team;
    static Path pids;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        AgentsIT.start(); // its team helpers
        team = AgentsIT.team("Nerfstudio team", "exec, nerf-unused", 0, WORKFLOW);
        pids = Files.createFile(stack.logs.resolve("nerfstudio-pids-" + System.nanoTime()));
        // Two seconds a stage (training six): long enough to cancel mid-training.
        stack.agent(new CyberunStack.AgentOptions("nerf-agent", team.agentKey(), "gpu").withNerfstudio()
                .env("NS_STANDIN_SECONDS", "2").env("NS_STANDIN_PIDS", pids.toString()));
    }

    static String capture() throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            for (int i = 1; i <= 4; i++) {
                out.putNextEntry(new ZipEntry("photos/IMG_000" + i + ".jpg"));
                out.write(("jpeg bytes " + i).getBytes());
                out.closeEntry();
            }
        }
        byte[] bytes = zip.toByteArray();
        JsonNode presigned = WalkingSkeletonIT.json(WalkingSkeletonIT.call("POST", "/api/v1/r/files/presign", team.key(),
                "{\"file_name\":\"capture.zip\",\"file_size\":" + bytes.length + ",\"content_type\":\"application/zip\"}", Map.of()).body());
        assertThat(AgentsIT.upload(presigned, bytes)).isEqualTo(200);
        return presigned.path("file_key").asText();
    }

    static List<String> stages(List<SseClient.Event> events) {
        List<String> stages = new ArrayList<>();
        for (SseClient.Event e : events) {
            String stage = e.name().equals("progress") ? e.data().path("stage").asText(null) : null;
            if (stage != null && (stages.isEmpty() || !stages.get(stages.size() - 1).equals(stage))) {
                stages.add(stage);
            }
        }
        return stages;
    }

    @Test
    void aCaptureBecomesASplatWithItsStagesStreamedInOrder() throws Exception {
        String task = AgentsIT.run(team, "splat", "{\"capture\": \"" + capture() + "\", \"steps\": 7000}");
        SseClient sse = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + task + "/events", team.key(), null);
        assertThat(sse.done.get(2, TimeUnit.MINUTES)).isEqualTo(200);
        List<SseClient.Event> events = sse.events;
        assertThat(events.get(events.size() - 1).name()).as("%s", events).isEqualTo("completed");
        assertThat(stages(events)).containsExactly("download", "process_data", "train", "export", "upload");
        assertThat(events).filteredOn(e -> e.name().equals("progress") && e.data().path("stage").asText().equals("train"))
                .anyMatch(e -> e.data().path("step_total").asInt() == 7000 && e.data().path("message").asText().startsWith("step "));
        assertThat(events).filteredOn(e -> e.name().equals("log")).anyMatch(e -> e.data().toString().contains("Starting with 4 images"));

        JsonNode result = WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + task + "/result", team.key(), null, Map.of()).body());
        String url = result.path("download_urls").path("splat.ply").asText();
        assertThat(url).as("%s", result).isNotBlank();
        String ply = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(ply).startsWith("ply").contains("config.yml");
        JsonNode agent = AgentsIT.agentRecord(team, "nerf-agent");
        assertThat(agent.path("agent_labels")).extracting(JsonNode::asText).contains("nerfstudio", "gpu");
    }

    @Test
    void cancellingMidTrainingLeavesNoProcessBehind() throws Exception {
        long before = Files.readAllLines(pids).size();
        String task = AgentsIT.run(team, "splat", "{\"capture\": \"" + capture() + "\"}");
        SseClient sse = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + task + "/events", team.key(), null);
        await("training under way").atMost(Duration.ofMinutes(1)).until(() -> stages(sse.events).contains("train"));
        HttpResponse<String> cancel = WalkingSkeletonIT.call("POST", "/api/v1/r/tasks/" + task + "/cancel", team.key(), null, Map.of());
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
        assertThat(sse.done.get(1, TimeUnit.MINUTES)).isEqualTo(200);
        assertThat(sse.events.get(sse.events.size() - 1).name()).isEqualTo("cancelled");
        List<Long> started = Files.readAllLines(pids).stream().skip(before).map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
        assertThat(started).as("ns-process-data and ns-train ran").hasSize(2);
        await("every process of the run stopped").atMost(Duration.ofSeconds(20))
                .until(() -> started.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                        && !zombie(pid)));
    }

    /** A killed process waiting for its parent to reap it has stopped running. */
    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException gone) {
            return true;
        }
    }
}
