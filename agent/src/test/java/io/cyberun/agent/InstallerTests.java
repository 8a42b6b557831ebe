package io.cyberun.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cyberun.agent.config.AgentConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cyberun-agent install|uninstall|status} into a temporary root (no systemctl runs there). */
class InstallerTests {
    @TempDir
    Path dir;

    Path home() throws Exception {
        Path home = Files.createDirectories(dir.resolve("dist"));
        Files.writeString(home.resolve("cyberun-agent.jar"), "jar");
        Files.writeString(Files.createDirectories(home.resolve("lib")).resolve("jackson.jar"), "lib");
        return home;
    }

    @Test
    void installWritesTheUnitTheConfigAndTheKeyReadableByRootOnly() throws Exception {
        Path root = dir.resolve("root");
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        Installer installer = new Installer(root, "nerfstudio", new PrintStream(said, true, StandardCharsets.UTF_8));
        installer.install(Installer.options(new String[] {"--server", "wss://cyberun.example.com/agents", "--key", "ak-secret", "--id", "gpu-7",
                "--capacity", "2"}), home());

        Path unit = root.resolve("etc/systemd/system/cyberun-agent-nerfstudio.service");
        String text = Files.readString(unit);
        assertThat(text).contains("EnvironmentFile=/etc/cyberun-agent/nerfstudio/agent.env")
                .contains("-jar /opt/cyberun-agent/cyberun-agent.jar --config /etc/cyberun-agent/nerfstudio/config.yaml")
                .contains("Restart=always").contains("RestartPreventExitStatus=2").contains("WantedBy=multi-user.target").doesNotContain("ak-secret");
        Path env = root.resolve("etc/cyberun-agent/nerfstudio/agent.env");
        assertThat(Files.readString(env)).isEqualTo("CYBERUN_AGENT_KEY=ak-secret\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(env))).isEqualTo("rw-------");
        AgentConfig config = AgentConfig.load(root.resolve("etc/cyberun-agent/nerfstudio/config.yaml"));
        assertThat(config.server).isEqualTo("wss://cyberun.example.com/agents");
        assertThat(config.agentId).isEqualTo("gpu-7");
        assertThat(config.gpuCapacity).isEqualTo(2);
        assertThat(config.workDir).isEqualTo("/var/lib/cyberun-agent/nerfstudio");
        assertThat(config.runtimes.nerfstudio.train).containsExactly("ns-train");
        assertThat(config.key).as("the key stays out of the config").isNull();
        assertThat(root.resolve("opt/cyberun-agent/cyberun-agent.jar")).hasContent("jar");
        assertThat(root.resolve("opt/cyberun-agent/lib/jackson.jar")).exists();
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("readable by root only");

        assertThat(installer.describe()).isZero();
        installer.uninstall();
        assertThat(unit).doesNotExist();
        assertThat(root.resolve("etc/cyberun-agent/nerfstudio")).doesNotExist();
        assertThat(installer.describe()).isEqualTo(3);
    }

    @Test
    void eachToolGetsItsRuntime() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        String comfy = new Installer(dir, "comfyui", quiet).config(Installer.options(new String[] {"--server", "ws://h:8083", "--comfyui", "http://127.0.0.1:8190"}));
        assertThat(comfy).contains("comfyui:\n    url: http://127.0.0.1:8190");
        assertThat(new Installer(dir, "exec", quiet).config(Installer.options(new String[] {"--server", "ws://h:8083"}))).contains("exec:\n    commands: {}");
    }

    @Test
    void badCommandLinesAreRefusedWithWhatIsMissing() {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Installer.main("install", new String[] {"--tool", "blender", "--server", "ws://h", "--key", "ak-1", "--root", dir.toString()}, quiet))
                .hasMessageContaining("--tool must be comfyui, nerfstudio or exec");
        assertThatThrownBy(() -> Installer.main("install", new String[] {"--tool", "exec", "--server", "ws://h", "--key", "sk-1", "--root", dir.toString()}, quiet))
                .hasMessageContaining("--key ak-");
        assertThatThrownBy(() -> Installer.main("install", new String[] {"--tool", "exec", "--capcity", "2", "--root", dir.toString()}, quiet))
                .hasMessageContaining("unknown option --capcity");
        assertThatThrownBy(() -> Installer.main("status", new String[] {}, quiet)).hasMessageContaining("needs --tool");
    }
}
