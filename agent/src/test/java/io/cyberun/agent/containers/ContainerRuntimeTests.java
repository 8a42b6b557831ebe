package io.cyberun.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cyberun.contracts.container.ReplicaSpec;
import java.nio.file.Path;
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
        org.awaitility.Awaitility.await().until(() -> !running.alive());
        assertThat(running.exitReason()).isEqualTo("the process exited with code 3; its last output: serving on 1234 1234");
    }
}
