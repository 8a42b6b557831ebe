package io.cyberun.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cyberun.contracts.container.ReplicaSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerRuntimeTests {
    static ReplicaSpec spec(String image, int gpus) {
        return new ReplicaSpec(UUID.randomUUID(), "svc", "svc-abc123", 1, "deployed", image, null, null, 8000, "/health",
                Map.of("MODEL", "m"), List.of(new ReplicaSpec.Volume("/data", "/models")), gpus);
    }

    @Test
    void dockerPublishesTheExposedPortOnLoopbackOnlyWithEnvVolumesAndGpus() {
        DockerRuntime docker = new DockerRuntime("docker");
        assertThat(docker.runArguments(spec("vllm/vllm-openai:latest", -1), 41000)).containsExactly("docker", "run", "-d", "--name",
                "cyberun-svc-abc123", "--label", "cyberun.service=svc", "-p", "127.0.0.1:41000:8000", "-e", "MODEL=m", "-v", "/data:/models",
                "--gpus", "all", "vllm/vllm-openai:latest");
        assertThat(docker.runArguments(spec("img", 2), 1)).containsSequence("--gpus", "2");
        assertThat(docker.runArguments(spec("img", 0), 1)).doesNotContain("--gpus");
    }

    @Test
    void theProcessRuntimeRunsOnlyTheCommandsTheOperatorMapped(@TempDir Path dir) throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(Map.of("known", List.of("bash", "-c", "echo serving on $PORT {port}; exit 3")), dir, dir);
        assertThatThrownBy(() -> runtime.start(spec("unknown", 0), 1234)).hasMessageContaining("no command for image unknown")
                .hasMessageContaining("containers.commands");
        ContainerRuntime.Running running = runtime.start(spec("known", 0), 1234);
        await().until(() -> !running.alive());
        assertThat(running.exitReason()).isEqualTo("the process exited with code 3; its last output: serving on 1234 1234");
    }

    @Test
    void replicasAnAgentLeftRunningAreStoppedByTheNextOneAndNothingElseIs(@TempDir Path dir) throws Exception {
        Map<String, List<String>> commands = Map.of("server", List.of("bash", "-c", "sleep 300 & wait"));
        ProcessRuntime killed = new ProcessRuntime(commands, dir, dir);
        ContainerRuntime.Running stopped = killed.start(spec("server", 0), 1234);
        await().until(() -> pids(dir).size() == 1 && ProcessHandle.of(pids(dir).get(0)).map(p -> p.descendants().findAny().isPresent()).orElse(false));
        stopped.stop();
        assertThat(dir).isDirectoryNotContaining("glob:**.pid"); // a replica stopped by its agent leaves nothing behind
        killed.start(spec("server", 0), 1235); // ... then the agent is killed without stopping it
        ProcessHandle replica = ProcessHandle.of(pids(dir).get(0)).orElseThrow();
        await().until(() -> replica.descendants().findAny().isPresent());
        List<ProcessHandle> children = replica.descendants().toList();
        // A pid file whose pid now belongs to another process (here: this test's JVM, started at another time) is left alone.
        Files.writeString(dir.resolve("svc-reused.pid"), ProcessHandle.current().pid() + " 1");

        try {
            new ProcessRuntime(commands, dir, dir).recover();

            assertThat(replica.isAlive()).isFalse();
            await().until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(ProcessHandle.current().isAlive()).isTrue();
            assertThat(dir).isDirectoryNotContaining("glob:**.pid");
        } finally {
            children.forEach(ProcessHandle::destroyForcibly); // a failed run leaves no process behind
            replica.destroyForcibly();
        }
    }

    /** The pids the runtime's pid files in {@code dir} name. */
    private static List<Long> pids(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            List<Long> pids = new ArrayList<>();
            for (Path f : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                pids.add(Long.parseLong(Files.readString(f).split(" ")[0]));
            }
            return pids;
        }
    }
}
