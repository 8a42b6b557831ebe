package io.cyberun.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.agent.config.AgentConfig;
import io.cyberun.agent.task.TaskExecution;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec runtime with real processes (bash). */
class ExecRuntimeTests {
    @TempDir
    Path dir;

    AgentConfig config(String name, List<String> command, int timeout) {
        AgentConfig c = new AgentConfig();
        c.baseDir = dir;
        AgentConfig.ExecCommand cmd = new AgentConfig.ExecCommand();
        cmd.command = command;
        cmd.timeoutSeconds = timeout;
        c.runtimes.exec.commands.put(name, cmd);
        return c;
    }

    TaskExecution task(String command, ObjectNode params) throws Exception {
        ObjectNode json = CyberunJson.mapper().createObjectNode().put("command", command);
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "w", 1, "exec", json, params, List.of(), List.of(), null, List.of(), 0, 0, 0);
        return new TaskExecution(UUID.randomUUID(), 1, spec, Files.createDirectories(dir.resolve("out")), List.of());
    }

    @Test
    void theCommandGetsItsParametersReportsProgressAndLeavesOutputs() throws Exception {
        // The value arrives as its own argv element ($1) and as CYBERUN_PARAM_NAME: never parsed by a shell.
        String probe = "world; touch " + dir.resolve("injected");
        AgentConfig config = config("write", List.of("bash", "-c",
                "echo \"hello $CYBERUN_PARAM_NAME\"; echo 'CYBERUN_PROGRESS 0.5 1/2 halfway'; printf '%s' \"$1\" > \"$CYBERUN_OUTPUT_DIR/out.txt\"; echo oops >&2",
                "write", "{{name}}"), 0);
        TaskExecution task = task("write", CyberunJson.mapper().createObjectNode().put("name", probe));
        RunOutcome outcome = new ExecRuntime(config).run(task);
        assertThat(outcome.success()).isTrue();
        assertThat(Files.readString(task.outputDir().resolve("out.txt"))).isEqualTo(probe);
        assertThat(dir.resolve("injected")).doesNotExist();
        List<LogLine> logs = task.drainLogs();
        assertThat(logs).extracting(LogLine::text).contains("hello " + probe, "oops");
        assertThat(logs).filteredOn(l -> l.text().equals("oops")).extracting(LogLine::stream).containsExactly("stderr");
        ProgressInfo progress = task.drainProgress().getLast();
        assertThat(progress.progress()).isEqualTo(0.5);
        assertThat(progress.stepCurrent()).isEqualTo(1);
        assertThat(progress.stepTotal()).isEqualTo(2);
        assertThat(progress.message()).isEqualTo("halfway");
    }

    @Test
    void anImageTheCommandNamesOnACyberunPreviewLineBecomesTheTasksPreview() throws Exception {
        AgentConfig config = config("draw", List.of("bash", "-c",
                "printf '\\x89PNGfake' > frame.png; echo 'CYBERUN_PREVIEW frame.png'; echo 'CYBERUN_PREVIEW notes.txt';"
                        + " echo 'CYBERUN_PREVIEW missing.png'"), 0);
        TaskExecution task = task("draw", CyberunJson.mapper().createObjectNode());
        assertThat(new ExecRuntime(config).run(task).success()).isTrue();
        TaskExecution.Preview preview = task.drainPreview();
        assertThat(preview.contentType()).isEqualTo("image/png");
        assertThat(new String(preview.image(), java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("\u0089PNGfake");
        assertThat(task.drainLogs()).extracting(LogLine::text).noneMatch(l -> l.startsWith("CYBERUN_PREVIEW"))
                .anyMatch(l -> l.startsWith("preview " + dir.resolve("notes.txt") + " skipped"))
                .anyMatch(l -> l.startsWith("preview " + dir.resolve("missing.png") + " could not be read"));
    }

    @Test
    void aFailingCommandAnUnknownCommandAndATimeoutFail() throws Exception {
        AgentConfig config = config("fail", List.of("bash", "-c", "echo broken; exit 3"), 0);
        RunOutcome failed = new ExecRuntime(config).run(task("fail", null));
        assertThat(failed.success()).isFalse();
        assertThat(failed.error()).isEqualTo("command 'fail' exited with code 3");
        assertThat(new ExecRuntime(config).run(task("missing", null)).error()).contains("has no exec command named 'missing'");
        AgentConfig slow = config("slow", List.of("bash", "-c", "sleep 30"), 1);
        long start = System.nanoTime();
        RunOutcome timedOut = new ExecRuntime(slow).run(task("slow", null));
        assertThat(timedOut.error()).contains("ran longer than 1 s");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
    }

    @Test
    void cancellingStopsTheProcessTree() throws Exception {
        AgentConfig config = config("forever", List.of("bash", "-c", "sleep 60 & wait"), 0);
        TaskExecution task = task("forever", null);
        List<RunOutcome> result = new ArrayList<>();
        Thread run = Thread.ofVirtual().start(() -> {
            try {
                result.add(new ExecRuntime(config).run(task));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Cancelled once the command's child runs, so there is a tree to stop.
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().descendants()
                .anyMatch(h -> h.info().arguments().map(a -> a.length > 0 && a[a.length - 1].equals("60")).orElse(false)));
        task.cancel();
        run.join(10_000);
        assertThat(result).singleElement().satisfies(r -> assertThat(r.error()).isEqualTo("cancelled"));
    }

    @Test
    void aFileParameterReachesTheCommandAsTheDownloadedFilesPath() throws Exception {
        Path image = Files.writeString(Files.createDirectories(dir.resolve("inputs/image")).resolve("cat.png"), "png-bytes");
        AgentConfig config = config("copy", List.of("bash", "-c", "cp \"$1\" \"$CYBERUN_OUTPUT_DIR/copy.png\"; echo \"env $CYBERUN_INPUT_IMAGE\"",
                "copy", "{{image}}"), 0);
        TaskExecution task = task("copy", CyberunJson.mapper().createObjectNode().put("image", "inputs/team/upload/cat.png"));
        task.inputsReady(java.util.Map.of("image", image));
        assertThat(new ExecRuntime(config).run(task).success()).isTrue();
        assertThat(Files.readString(task.outputDir().resolve("copy.png"))).isEqualTo("png-bytes");
        assertThat(task.drainLogs()).extracting(LogLine::text).contains("env " + image);
    }

    @Test
    void whenTheAgentsPipeClosesTheSupervisorStopsTheCommandsWholeProcessGroup() throws Exception {
        assertThat(ExecRuntime.SUPERVISOR_TOOLS).as("bash and setsid on this machine").isNotNull();
        Path marker = dir.resolve("children.txt");
        // A command with a child of its own; both must go when the agent's end of the pipe closes (as when it dies).
        Process p = new ProcessBuilder(ExecRuntime.supervised(List.of("bash", "-c", "sleep 60 & echo $! > " + marker + "; wait")))
                .redirectErrorStream(true).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker) && !Files.readString(marker).isBlank());
        long sleeper = Long.parseLong(Files.readString(marker).strip());
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        assertThat(ProcessHandle.of(sleeper)).isPresent();
        p.getOutputStream().close();
        assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(running(sleeper)).as("the command's child (%s)", stat(sleeper)).isFalse());
        assertThat(tree).noneMatch(h -> running(h.pid()) && h.info().command().map(c -> c.endsWith("sleep")).orElse(false));
    }

    /**
     * Whether the process still runs. A killed orphan stays a zombie until its new parent reaps it, and some
     * sandboxes' init reaps late or never: a zombie has stopped running, so it counts as gone.
     */
    static String stat(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat")).strip();
        } catch (java.io.IOException gone) {
            return "gone";
        }
    }

    static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                return state != 'Z' && state != 'X';
            } catch (java.io.IOException gone) {
                return false;
            }
        }
        return false;
    }

    @Test
    void placeholdersAndProgressLinesParse() {
        ObjectNode p = CyberunJson.mapper().createObjectNode().put("a", "x").put("n", 3);
        assertThat(ExecRuntime.substitute("--a={{a}} --n={{ n }} --m={{missing}}", p)).isEqualTo("--a=x --n=3 --m=");
        assertThat(ExecRuntime.progressOf("CYBERUN_PROGRESS 1")).isNotNull();
        assertThat(ExecRuntime.progressOf("progress 50%")).isNull();
    }
}
