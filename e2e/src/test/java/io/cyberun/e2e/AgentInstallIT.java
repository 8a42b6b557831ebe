package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code cyberun-agent install} into a temporary root, then the command line of the systemd unit it wrote, run as
 * systemd would run it (the environment file's key, the paths of that root): the agent connects and takes a task.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedStack.class)
class AgentInstallIT {
    @Test
    void theInstalledUnitsCommandLineStartsAnAgentThatConnectsAndRunsATask() throws Exception {
        CyberunStack stack = CyberunStack.shared();
        AgentsIT.start(); // its team and runs-file helpers
        AgentsIT.Team team = AgentsIT.team("Installed team", "exec", 0);
        Path root = Files.createDirectories(stack.logs.resolve("install-root-" + System.nanoTime()));
        Process install = new ProcessBuilder(ServiceProcess.java(), "-jar", stack.root.resolve("agent/target/cyberun-agent.jar").toString(),
                "install", "--tool", "exec", "--server", "ws://127.0.0.1:" + stack.hub.port, "--key", team.agentKey(), "--id", "installed-agent",
                "--root", root.toString()).redirectErrorStream(true).start();
        String said = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(install.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(install.exitValue()).as(said).isZero();
        assertThat(said).contains("wrote the key to").doesNotContain(team.agentKey()).doesNotContain("running systemctl");

        // What systemd would do with the unit, inside this root: the environment file, then ExecStart.
        String unit = Files.readString(root.resolve("etc/systemd/system/cyberun-agent-exec.service"));
        String execStart = line(unit, "ExecStart=");
        Path envFile = inRoot(root, line(unit, "EnvironmentFile="));
        Map<String, String> env = new LinkedHashMap<>();
        for (String l : Files.readAllLines(envFile)) {
            if (l.contains("=")) {
                env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        assertThat(env).containsEntry("CYBERUN_AGENT_KEY", team.agentKey());
        List<String> command = new ArrayList<>();
        Arrays.stream(execStart.split(" ")).forEach(arg -> command.add(arg.startsWith("/etc/") || arg.startsWith("/opt/") ? inRoot(root, arg).toString() : arg));
        // The agent's command: the unit names the work directory the service's StateDirectory makes; here, under the root.
        Path config = inRoot(root, "/etc/cyberun-agent/exec/config.yaml");
        // And the team's command, added to the config after install as an operator would.
        Files.writeString(config, Files.readString(config).replace("work_dir: /var/lib/", "work_dir: " + root.resolve("var/lib") + "/")
                .replace("commands: {}", "commands:\n      work:\n        command: [\"bash\", \"" + AgentsIT.script + "\", \"{{token}}\"]"));
        // What the team's command writes down (work.sh): which agent ran it, and where.
        env.put("CYBERUN_RUNS_FILE", team.runs().toString());
        env.put("CYBERUN_AGENT_NAME", "installed-agent");
        ServiceProcess agent = stack.track(ServiceProcess.start("agent-installed", 0, command, env, stack.logs));
        agent.awaitLog("connected to", Duration.ofSeconds(60));

        AgentsIT.awaitAgentStatus(team, "installed-agent", "idle");
        JsonNode listed = AgentsIT.agentRecord(team, "installed-agent");
        assertThat(listed.path("agent_labels")).extracting(JsonNode::asText).contains("exec");
        String task = AgentsIT.run(team, "work", "{\"token\": \"installed\"}");
        AgentsIT.await(team, task, "completed", Duration.ofMinutes(1));
        assertThat(AgentsIT.runs(team)).anyMatch(r -> r.task().equals(task) && r.agent().equals("installed-agent"));
    }

    static String line(String unit, String prefix) {
        return unit.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow().substring(prefix.length()).strip();
    }

    static Path inRoot(Path root, String absolute) {
        return root.resolve(absolute.substring(1));
    }
}
