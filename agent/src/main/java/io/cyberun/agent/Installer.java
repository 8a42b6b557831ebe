package io.cyberun.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Installs the agent as a system service, as the product documents it ({@code cyberun-agent-<tool>}):
 * <pre>
 * cyberun-agent install --tool comfyui|nerfstudio|exec --server wss://HOST --key ak-... [--id NAME] [--capacity N]
 *                       [--comfyui URL] [--root DIR] [--no-start]
 * cyberun-agent uninstall --tool TOOL [--root DIR]
 * cyberun-agent status --tool TOOL [--root DIR]
 * </pre>
 * It copies the agent (its jar and libraries) to {@code /opt/cyberun-agent}, writes
 * {@code /etc/cyberun-agent/<tool>/config.yaml}, the key alone in {@code /etc/cyberun-agent/<tool>/agent.env} (mode 0600,
 * read by systemd as root, never on a command line) and the unit {@code /etc/systemd/system/cyberun-agent-<tool>.service}
 * (restarted always, 5 s apart), then enables and starts it with systemctl. {@code --root} writes under another folder
 * and runs no systemctl (for packaging and tests).
 */
final class Installer {
    static final Set<String> TOOLS = Set.of("comfyui", "nerfstudio", "exec");
    static final List<String> KNOWN = List.of("--tool", "--server", "--key", "--id", "--capacity", "--comfyui", "--root", "--no-start");

    private final Path root;
    private final String tool;
    private final PrintStream out;

    Installer(Path root, String tool, PrintStream out) {
        if (!TOOLS.contains(tool)) {
            throw new IllegalArgumentException("--tool must be comfyui, nerfstudio or exec, not " + tool);
        }
        this.root = root;
        this.tool = tool;
        this.out = out;
    }

    /** Handles {@code install}, {@code uninstall}, {@code status}; returns the exit code. */
    static int main(String command, String[] args, PrintStream out) throws Exception {
        Map<String, String> o = options(args);
        List<String> unknown = o.keySet().stream().filter(k -> !KNOWN.contains(k)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option " + String.join(", ", unknown) + " (known: " + String.join(" ", KNOWN) + ")");
        }
        String tool = o.remove("--tool");
        if (tool == null) {
            throw new IllegalArgumentException(command + " needs --tool comfyui|nerfstudio|exec");
        }
        Path root = Path.of(o.getOrDefault("--root", "/"));
        o.remove("--root");
        boolean system = root.toAbsolutePath().normalize().equals(Path.of("/"));
        Installer installer = new Installer(root, tool, out);
        return switch (command) {
            case "install" -> {
                if (o.get("--server") == null || o.get("--key") == null || !o.get("--key").startsWith("ak-")) {
                    throw new IllegalArgumentException("install needs --server URL and --key ak-... (an agent key of your team)");
                }
                boolean start = o.remove("--no-start") == null;
                installer.install(o, agentHome());
                yield system ? installer.systemctl(start ? List.of(List.of("daemon-reload"), List.of("enable", "--now", installer.unitName()))
                        : List.of(List.of("daemon-reload"), List.of("enable", installer.unitName()))) : 0;
            }
            case "uninstall" -> {
                int code = system ? installer.systemctl(List.of(List.of("disable", "--now", installer.unitName()))) : 0;
                installer.uninstall();
                if (system) {
                    installer.systemctl(List.of(List.of("daemon-reload")));
                }
                yield code;
            }
            case "status" -> system ? installer.systemctl(List.of(List.of("status", "--no-pager", installer.unitName()))) : installer.describe();
            default -> throw new IllegalArgumentException("unknown command " + command);
        };
    }

    String unitName() {
        return "cyberun-agent-" + tool + ".service";
    }

    Path at(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    Path configDir() {
        return at("/etc/cyberun-agent/" + tool);
    }

    Path unitFile() {
        return at("/etc/systemd/system/" + unitName());
    }

    void install(Map<String, String> o, Path agentHome) throws IOException {
        Path opt = Files.createDirectories(at("/opt/cyberun-agent"));
        Files.copy(agentHome.resolve("cyberun-agent.jar"), opt.resolve("cyberun-agent.jar"), StandardCopyOption.REPLACE_EXISTING);
        Path lib = Files.createDirectories(opt.resolve("lib"));
        try (Stream<Path> jars = Files.list(agentHome.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        out.println("copied the agent to " + opt);
        Files.createDirectories(configDir());
        Files.setPosixFilePermissions(configDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(configDir().resolve("config.yaml"), config(o));
        out.println("wrote " + configDir().resolve("config.yaml"));
        Path env = configDir().resolve("agent.env");
        Files.deleteIfExists(env);
        Files.createFile(env, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(env, "CYBERUN_AGENT_KEY=" + o.get("--key") + "\n");
        out.println("wrote the key to " + env + " (readable by root only)");
        Files.createDirectories(unitFile().getParent());
        Files.writeString(unitFile(), unit(javaBinary()));
        out.println("wrote " + unitFile());
    }

    String config(Map<String, String> o) {
        StringBuilder yaml = new StringBuilder("# Written by cyberun-agent install; edit and restart the service (systemctl restart "
                + unitName() + ").\n");
        yaml.append("server: ").append(o.get("--server")).append('\n');
        if (o.get("--id") != null) {
            yaml.append("agent_id: ").append(o.get("--id")).append('\n');
        }
        yaml.append("gpu_capacity: ").append(o.getOrDefault("--capacity", "1")).append('\n');
        yaml.append("agent_labels: []   # extra labels; the agent adds its tool, gpu / gpu-<model> or cpu itself\n");
        yaml.append("work_dir: /var/lib/cyberun-agent/").append(tool).append('\n');
        yaml.append("runtimes:\n");
        switch (tool) {
            case "comfyui" -> yaml.append("  comfyui:\n    url: ").append(o.getOrDefault("--comfyui", "http://127.0.0.1:8188")).append('\n');
            case "nerfstudio" -> yaml.append("""
                      nerfstudio:
                        process_data: [ns-process-data]
                        train: [ns-train]
                        export: [ns-export]
                    """);
            default -> yaml.append("""
                      exec:
                        commands: {}   # name: {command: [program, args...], timeout_seconds: N}; workflows name them
                    """);
        }
        return yaml.toString();
    }

    String unit(String java) {
        return """
                [Unit]
                Description=Cyberun agent (%1$s)
                Documentation=https://github.com/cyberun/cyberun
                After=network-online.target
                Wants=network-online.target

                [Service]
                Type=simple
                EnvironmentFile=/etc/cyberun-agent/%1$s/agent.env
                ExecStart=%2$s -XX:+UseSerialGC -Xmx256m -jar /opt/cyberun-agent/cyberun-agent.jar --config /etc/cyberun-agent/%1$s/config.yaml
                StateDirectory=cyberun-agent/%1$s
                WorkingDirectory=/var/lib/cyberun-agent/%1$s
                Restart=always
                RestartSec=5
                # Exit status 2: the hub refused the key; restarting cannot help until the key is replaced.
                RestartPreventExitStatus=2
                # The agent drains for 30 s on SIGTERM, then its tasks' process groups go with it.
                KillMode=mixed
                TimeoutStopSec=45

                [Install]
                WantedBy=multi-user.target
                """.formatted(tool, java);
    }

    void uninstall() throws IOException {
        Files.deleteIfExists(unitFile());
        for (String name : List.of("config.yaml", "agent.env")) {
            Files.deleteIfExists(configDir().resolve(name));
        }
        Files.deleteIfExists(configDir());
        out.println("removed " + unitName() + " and " + configDir() + " (the agent in /opt/cyberun-agent stays for the other tools)");
    }

    int describe() throws IOException {
        boolean installed = Files.exists(unitFile());
        out.println(unitName() + (installed ? " is installed under " + root : " is not installed under " + root));
        if (installed) {
            out.println(Files.readString(configDir().resolve("config.yaml")));
        }
        return installed ? 0 : 3;
    }

    int systemctl(List<List<String>> calls) throws IOException, InterruptedException {
        for (List<String> call : calls) {
            List<String> command = new ArrayList<>(List.of("systemctl"));
            command.addAll(call);
            out.println("running " + String.join(" ", command));
            int code = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (code != 0) {
                out.println("systemctl " + String.join(" ", call) + " exited with " + code + "; see journalctl -u " + unitName());
                return code;
            }
        }
        return 0;
    }

    /** Where the running agent's jar and its lib folder are. */
    static Path agentHome() {
        try {
            Path jar = Path.of(Installer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // From the packaged jar: its folder (with lib/); from a build's classes: target/, where the jar is packaged.
            return jar.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("/usr/bin/java");
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-start")) {
                o.put(a, "true");
            } else if (a.startsWith("--") && a.contains("=")) {
                o.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (a.startsWith("--") && i + 1 < args.length) {
                o.put(a, args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
        }
        return o;
    }
}
