package io.cyberun.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.agent.config.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTests {
    @TempDir
    Path dir;

    @Test
    void theYamlFileGivesLabelsCapacityAndCommandsAndFlagsWin() throws Exception {
        Path file = dir.resolve("cyberun-agent.yaml");
        Files.writeString(file, """
                server: ws://hub:8083
                agent_id: gpu-node-01
                agent_labels: [gpu, sd15]
                gpu_capacity: 3
                runtimes:
                  exec:
                    commands:
                      render: {command: [bash, render.sh], timeout_seconds: 60}
                """);
        AgentConfig config = AgentConfig.load(file);
        AgentMain.apply(config, AgentMain.Options.parse(new String[] {"--key", "ak-x", "--labels", "gpu,h100", "--capacity=2"}));
        assertThat(config.server).isEqualTo("ws://hub:8083");
        assertThat(config.agentLabels).containsExactly("gpu", "h100");
        assertThat(config.gpuCapacity).isEqualTo(2);
        assertThat(config.runtimes.exec.commands.get("render").timeoutSeconds).isEqualTo(60);
        assertThat(config.resolve("render.sh")).isEqualTo(dir.resolve("render.sh"));
        assertThat(config.hubUris("/agent/v1/connect")).extracting(Object::toString).containsExactly("ws://hub:8083/agent/v1/connect");
        assertThat(config.problems()).isEmpty();
    }

    @Test
    void missingOrWrongSettingsAreReportedWithTheFix() {
        AgentConfig config = new AgentConfig();
        config.server = "ftp://x";
        config.key = "sk-not-an-agent-key";
        config.agentId = "bad id";
        config.gpuCapacity = 0;
        assertThat(config.problems()).hasSize(4).anyMatch(p -> p.contains("--key ak-"));
    }

    @Test
    void severalServersAreTriedInTheOrderGivenAndEachIsChecked() {
        AgentConfig config = new AgentConfig();
        AgentMain.apply(config, AgentMain.Options.parse(new String[] {"--server", "ws://hub-a:8083, http://hub-b:8083/ ,", "--key", "ak-x",
                "--id", "n1"}));
        assertThat(config.hubUris("/agent/v1/connect")).extracting(Object::toString)
                .containsExactly("ws://hub-a:8083/agent/v1/connect", "ws://hub-b:8083/agent/v1/connect");
        assertThat(config.problems()).isEmpty();
        AgentMain.apply(config, AgentMain.Options.parse(new String[] {"--comfyui", "http://127.0.0.1:8188"}));
        assertThat(config.runtimes.comfyui.url).isEqualTo("http://127.0.0.1:8188");
        config.runtimes.comfyui.url = "ws://x";
        assertThat(config.problems()).containsExactly("runtimes.comfyui.url must be an http:// or https:// URL, not ws://x");
        config.runtimes.comfyui = null;
        config.server = "ws://hub-a:8083,ftp://hub-b";
        assertThat(config.problems()).containsExactly("server must be a ws://, wss://, http:// or https:// URL, not ftp://hub-b");
    }
}
