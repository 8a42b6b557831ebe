package io.cyberun.agent;

import io.cyberun.agent.config.AgentConfig;
import io.cyberun.agent.runtime.ExecRuntime;
import io.cyberun.agent.runtime.TaskRuntime;
import io.cyberun.agent.runtime.comfyui.ComfyUiRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code cyberun-agent --server URL --key ak-... [--id NAME] [--labels a,b] [--capacity N] [--config FILE]
 * [--work-dir DIR] [--models-dir DIR] [--comfyui URL] [--drain-seconds N]}. Flags win over the config file; {@code CYBERUN_AGENT_KEY},
 * {@code CYBERUN_SERVER} and {@code CYBERUN_AGENT_ID} fill what neither gives.
 */
public final class AgentMain {
    static final String VERSION = "0.1.0";

    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && List.of("install", "uninstall", "status").contains(args[0])) {
            try {
                System.exit(Installer.main(args[0], Arrays.copyOfRange(args, 1, args.length), System.out));
            } catch (IllegalArgumentException e) {
                System.err.println("cyberun-agent " + args[0] + ": " + e.getMessage());
                System.err.println(usage());
                System.exit(2);
            }
            return;
        }
        if (args.length > 0 && args[0].equals("tunnel")) {
            System.exit(tunnel(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        AgentConfig config;
        Duration drain = Duration.ofSeconds(30);
        try {
            Options options = Options.parse(args);
            if (options.help) {
                System.out.println(usage());
                return;
            }
            if (options.config != null && !Files.exists(Path.of(options.config))) {
                throw new IllegalArgumentException("config file " + options.config + " does not exist");
            }
            config = options.config == null ? new AgentConfig() : AgentConfig.load(Path.of(options.config));
            apply(config, options);
            if (options.drainSeconds != null) {
                drain = Duration.ofSeconds(options.drainSeconds);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("cyberun-agent: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        List<String> problems = config.problems();
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("cyberun-agent: " + p));
            System.exit(2);
        }
        List<TaskRuntime> runtimes = new ArrayList<>();
        runtimes.add(new ExecRuntime(config));
        AgentLog.info("cyberun-agent %s; exec commands: %s", VERSION, config.runtimes.exec.commands.keySet());
        if (config.runtimes.comfyui != null) {
            runtimes.add(new ComfyUiRuntime(java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                    io.cyberun.contracts.json.CyberunJson.mapper(), config.runtimes.comfyui.url));
            AgentLog.info("comfyui runtime: ComfyUI at %s", config.runtimes.comfyui.url);
        }
        if (config.runtimes.nerfstudio != null) {
            runtimes.add(new io.cyberun.agent.runtime.NerfstudioRuntime(config.runtimes.nerfstudio, config.baseDir));
            AgentLog.info("nerfstudio runtime: %s, %s, %s", config.runtimes.nerfstudio.processData, config.runtimes.nerfstudio.train,
                    config.runtimes.nerfstudio.export);
        }
        CyberunAgent agent = new CyberunAgent(config, runtimes, SystemProbe.probe(), VERSION);
        Duration grace = drain;
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> agent.stop(grace)));
        System.exit(agent.run());
    }

    static void apply(AgentConfig config, Options o) {
        config.server = first(o.server, config.server, System.getenv("CYBERUN_SERVER"));
        config.key = first(o.key, System.getenv("CYBERUN_AGENT_KEY"), config.key);
        config.agentId = first(o.id, config.agentId, System.getenv("CYBERUN_AGENT_ID"), hostname());
        if (o.labels != null) {
            config.agentLabels = Arrays.stream(o.labels.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        if (o.capacity != null) {
            config.gpuCapacity = o.capacity;
        }
        if (o.workDir != null) {
            config.workDir = o.workDir;
        }
        if (o.modelsDir != null) {
            config.modelsDir = o.modelsDir;
        }
        if (o.comfyui != null) {
            config.runtimes.comfyui = new AgentConfig.ComfyUi();
            config.runtimes.comfyui.url = o.comfyui;
        }
    }

    static String usage() {
        return """
                usage: cyberun-agent --server URL --key ak-... [options]
                       cyberun-agent install --tool comfyui|nerfstudio|exec --server URL --key ak-... [--id NAME]
                                     [--capacity N] [--comfyui URL] [--root DIR] [--no-start]
                                     (a systemd service cyberun-agent-TOOL; the key in a root-only file)
                       cyberun-agent uninstall|status --tool TOOL [--root DIR]
                  --server URL[,URL]  agent-hub, e.g. ws://127.0.0.1:8083 (or CYBERUN_SERVER); with several,
                                      the agent moves to the next when one cannot be reached
                  --key ak-...        the agent key (or CYBERUN_AGENT_KEY)
                  --id NAME           this agent's id (default: agent_id from the config, else the host name)
                  --labels a,b        labels to advertise (replaces agent_labels of the config)
                  --capacity N        tasks run at once (gpu_capacity, default 1)
                  --config FILE       cyberun-agent.yaml with agent_labels and runtime settings
                  --work-dir DIR      where task folders are made
                  --models-dir DIR    where the team's models are synced (ComfyUI: its models folder)
                  --comfyui URL       run comfyui workflows on the ComfyUI at URL (e.g. http://127.0.0.1:8188)
                  --drain-seconds N   on shutdown, how long running tasks may finish (default 30)""";
    }

    private static String hostname() {
        String host = System.getenv("HOSTNAME");
        if (host == null) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "agent";
            }
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** The command line. */
    static final class Options {
        String server;
        String key;
        String id;
        String labels;
        Integer capacity;
        String config;
        String workDir;
        String modelsDir;
        String comfyui;
        Integer drainSeconds;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    o.help = true;
                    continue;
                }
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument " + a);
                }
                String name = a;
                String value;
                int eq = a.indexOf('=');
                if (eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                } else {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    value = args[++i];
                }
                switch (name) {
                    case "--server" -> o.server = value;
                    case "--key" -> o.key = value;
                    case "--id" -> o.id = value;
                    case "--labels" -> o.labels = value;
                    case "--capacity" -> o.capacity = number(name, value);
                    case "--config" -> o.config = value;
                    case "--work-dir" -> o.workDir = value;
                    case "--models-dir" -> o.modelsDir = value;
                    case "--comfyui" -> o.comfyui = value;
                    case "--drain-seconds" -> o.drainSeconds = number(name, value);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return o;
        }

        private static int number(String name, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, not " + value);
            }
        }
    }

    /** {@code tunnel --url <tunnel_url> --listen [host:]port}: the client side of a tcp tunnel. */
    static int tunnel(String[] args) {
        String url = null;
        String listen = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = i + 1 < args.length ? args[++i] : null;
                case "--listen" -> listen = i + 1 < args.length ? args[++i] : null;
                default -> {
                    System.err.println("cyberun-agent tunnel: unknown option " + args[i]);
                    url = null;
                    i = args.length;
                }
            }
        }
        if (url == null || listen == null) {
            System.err.println("usage: cyberun-agent tunnel --url <tunnel_url> --listen [host:]port");
            System.err.println("  carries connections to the local port through a tcp tunnel (open one with POST /api/v1/agents/{id}/tunnel"
                    + " {\"tunnel_protocol\":\"tcp\",\"target_port\":N})");
            return 2;
        }
        try {
            new io.cyberun.agent.tunnel.TunnelClient(io.cyberun.agent.tunnel.TunnelClient.webSocketUrl(url), System.out)
                    .listen(io.cyberun.agent.tunnel.TunnelClient.address(listen));
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("cyberun-agent tunnel: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            System.err.println("cyberun-agent tunnel: cannot listen on " + listen + ": " + e.getMessage());
            return 1;
        }
    }
}
