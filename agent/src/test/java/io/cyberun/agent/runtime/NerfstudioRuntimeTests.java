package io.cyberun.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.agent.config.AgentConfig;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.testing.TestInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nerfstudio runtime with real processes: the stand-ins of {@code ns-process-data}, {@code ns-train} and
 * {@code ns-export} in {@code deploy/local/nerfstudio}, which print and write what the real tools do.
 */
class NerfstudioRuntimeTests {
    static final Path STAND_INS = TestInfrastructure.repositoryRoot().resolve("deploy/local/nerfstudio");
    static final String SPEC = """
            {"process_data": {"type": "images", "data": null, "args": {"matching-method": "sequential"}},
             "train": {"method": "nerfacto", "max_num_iterations": 30000, "args": {"pipeline.model.predict-normals": true}},
             "export": {"type": "pointcloud", "args": {"num-points": 1000}}}""";

    @TempDir
    Path dir;

    /** A task's context that keeps every report, in order. */
    static final class Recorder implements TaskContext {
        final UUID id = UUID.randomUUID();
        final TaskSpec spec;
        final Path out;
        final Map<String, Path> inputs;
        final List<ProgressInfo> progress = new CopyOnWriteArrayList<>();
        final List<String> previews = new CopyOnWriteArrayList<>();

        @Override
        public void preview(String contentType, String nodeId, byte[] image) {
            previews.add(contentType + " " + image.length);
        }
        final List<String> logs = new CopyOnWriteArrayList<>();
        final CountDownLatch training = new CountDownLatch(1);
        volatile boolean cancelled;

        Recorder(TaskSpec spec, Path out, Map<String, Path> inputs) {
            this.spec = spec;
            this.out = out;
            this.inputs = inputs;
        }

        public UUID taskId() {
            return id;
        }

        public int attempt() {
            return 1;
        }

        public TaskSpec spec() {
            return spec;
        }

        public Path outputDir() {
            return out;
        }

        public void outputId(String name, String outputId) {
        }

        public Map<String, Path> inputs() {
            return inputs;
        }

        public void log(String stream, String line) {
            logs.add(stream + ": " + line);
        }

        public void progress(ProgressInfo p) {
            progress.add(p);
            if ("train".equals(p.stage()) && p.stepCurrent() != null) {
                training.countDown();
            }
        }

        public boolean cancelled() {
            return cancelled;
        }
    }

    AgentConfig.Nerfstudio config(Map<String, String> env) {
        AgentConfig.Nerfstudio c = new AgentConfig.Nerfstudio();
        c.processData = List.of(STAND_INS.resolve("ns-process-data").toString());
        c.train = List.of(STAND_INS.resolve("ns-train").toString());
        c.export = List.of(STAND_INS.resolve("ns-export").toString());
        c.env = new ConcurrentHashMap<>(env);
        return c;
    }

    Recorder task(JsonNode parameters) throws Exception {
        Path capture = dir.resolve("capture.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(capture))) {
            for (int i = 1; i <= 3; i++) {
                zip.putNextEntry(new ZipEntry("shots/frame_" + i + ".jpg"));
                zip.write(("jpeg " + i).getBytes());
                zip.closeEntry();
            }
        }
        List<ParameterDef> defs = List.of(
                new ParameterDef("capture", ParameterType.FILE, "Capture", null, true, null, null, null, null, null, null, null, "process_data.data", null),
                new ParameterDef("iterations", ParameterType.INTEGER, "Steps", null, false, null, 100.0, 100000.0, null, null, null, null,
                        "train.max_num_iterations", null));
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "splat", 1, "nerfstudio", CyberunJson.mapper().readTree(SPEC), parameters, defs,
                List.of(), null, List.of(), 0, 0, 0);
        return new Recorder(spec, Files.createDirectories(dir.resolve("task/outputs")), Map.of("capture", capture));
    }

    @Test
    void aCaptureIsProcessedTrainedAndExportedWithEachStageReportedInOrder() throws Exception {
        Recorder task = task(CyberunJson.mapper().createObjectNode().put("capture", "inputs/t/u/capture.zip").put("iterations", 3000));
        RunOutcome outcome = new NerfstudioRuntime(config(Map.of("NS_STANDIN_SECONDS", "0.2")), dir).run(task);
        assertThat(outcome.success()).as(String.join("\n", task.logs)).isTrue();
        List<String> stages = new ArrayList<>();
        task.progress.forEach(p -> {
            if (stages.isEmpty() || !stages.get(stages.size() - 1).equals(p.stage())) {
                stages.add(p.stage());
            }
        });
        assertThat(stages).containsExactly("download", "process_data", "train", "export", "upload");
        assertThat(task.progress).extracting(ProgressInfo::progress).isSorted();
        assertThat(task.progress).filteredOn(p -> p.stepCurrent() != null).extracting(ProgressInfo::stepCurrent).contains(300, 3000);
        assertThat(task.progress).filteredOn(p -> p.stepCurrent() != null).allMatch(p -> p.stepTotal() == 3000);
        // The parameters reached their target paths, the args became flags, the zip was unpacked for ns-process-data.
        assertThat(task.logs).anyMatch(l -> l.contains("ns-train nerfacto") && l.contains("--max-num-iterations 3000")
                && l.contains("--pipeline.model.predict-normals True"));
        assertThat(task.logs).anyMatch(l -> l.contains("ns-process-data images --data " + dir.resolve("task/nerfstudio/capture"))
                && l.contains("--matching-method sequential"));
        assertThat(task.logs).contains("stdout: Starting with 3 images");
        assertThat(Files.readString(task.out.resolve("point_cloud.ply"))).startsWith("ply").contains("config.yml");
        try (var files = Files.list(task.out)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void cancellingMidTrainingStopsEveryProcessOfTheRun() throws Exception {
        Path pids = dir.resolve("pids");
        Recorder task = task(CyberunJson.mapper().createObjectNode().put("capture", "x"));
        AgentConfig.Nerfstudio slow = config(Map.of("NS_STANDIN_SECONDS", "0.3", "NS_STANDIN_PIDS", pids.toString()));
        // Training alone is long (60 s): the site's wrapper of ns-train sets its own stage length.
        slow.train = List.of("env", "NS_STANDIN_SECONDS=20", STAND_INS.resolve("ns-train").toString());
        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return new NerfstudioRuntime(slow, dir).run(task);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(task.training.await(30, TimeUnit.SECONDS)).as("training reported a step: %s", task.logs).isTrue();
        task.cancelled = true;
        assertThat(run.get(30, TimeUnit.SECONDS).error()).isEqualTo("cancelled");
        List<Long> started = Files.readAllLines(pids).stream().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
        assertThat(started).hasSize(2);
        assertThat(started).noneMatch(ExecRuntimeTests::running);
    }

    @Test
    void aFailingStepFailsTheTaskWithTheToolsNameAndAMissingCaptureIsSaid() throws Exception {
        Recorder task = task(CyberunJson.mapper().createObjectNode().put("capture", "x"));
        RunOutcome oom = new NerfstudioRuntime(config(Map.of("NS_STANDIN_SECONDS", "0.1", "NS_STANDIN_FAIL", "ns-train")), dir).run(task);
        assertThat(oom.error()).isEqualTo("ns-train exited with code 1 (its last lines are in the task's log)");
        assertThat(task.logs).contains("stderr: torch.OutOfMemoryError: CUDA out of memory");

        Recorder noCapture = new Recorder(task.spec, task.out, Map.of());
        assertThat(new NerfstudioRuntime(config(Map.of()), dir).run(noCapture).error()).contains("process_data.data names no input");
    }

    @Test
    void anAgentWithoutNerfstudioSaysWhatIsMissing() {
        AgentConfig.Nerfstudio missing = new AgentConfig.Nerfstudio();
        missing.train = List.of("ns-train-that-is-not-installed");
        missing.processData = List.of(STAND_INS.resolve("ns-process-data").toString());
        missing.export = List.of(STAND_INS.resolve("ns-export").toString());
        assertThat(new NerfstudioRuntime(missing, dir).healthProblem()).isEqualTo("nerfstudio: ns-train-that-is-not-installed is not installed (not on PATH)");
        assertThat(new NerfstudioRuntime(config(Map.of()), dir).healthProblem()).isNull();
    }
}
