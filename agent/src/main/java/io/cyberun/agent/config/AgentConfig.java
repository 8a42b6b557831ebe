package io.cyberun.agent.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's settings: {@code cyberun-agent.yaml} (with {@code agent_labels} and runtime settings), overridden
 * by command-line flags and environment variables.
 *
 * <pre>
 * server: ws://127.0.0.1:8083          # agent-hub; several, comma-separated, are tried in turn
 * agent_id: gpu-node-01
 * agent_labels: [gpu, comfyui]
 * gpu_capacity: 1
 * work_dir: /var/lib/cyberun-agent
 * runtimes:
 *   exec:
 *     commands:
 *       render:
 *         command: ["python3", "render.py", "--prompt", "{{prompt}}"]
 *         timeout_seconds: 600
 *   comfyui:                           # only when ComfyUI runs next to the agent
 *     url: http://127.0.0.1:8188
 *   nerfstudio:                        # only when Nerfstudio is installed; these are the default commands
 *     process_data: [ns-process-data]
 *     train: [ns-train]
 *     export: [ns-export]
 * </pre>
 */
public final class AgentConfig {
    public String server;
    public String key;
    public String agentId;
    public List<String> agentLabels = new ArrayList<>();
    public int gpuCapacity = 1;
    public String workDir;
    /**
     * Where the team's models are synced to, as {@code <model_type>/<model_path>}; for ComfyUI, its {@code models}
     * folder. Default: {@code models} in the work directory.
     */
    public String modelsDir;
    /** How often the runtimes' tools are checked (an agent whose tool does not answer reports unhealthy). */
    public int healthCheckSeconds = 10;
    /** The ports of this machine an interactive tunnel may reach (the agent refuses others): ComfyUI's by default. */
    public List<Integer> tunnelPorts = new ArrayList<>(List.of(8188));
    /** A tunnel session no stream used for this long is closed by the agent, which takes tasks again. */
    public int tunnelIdleMinutes = 30;
    public Runtimes runtimes = new Runtimes();
    /** How this agent runs container service replicas. */
    public Containers containers = new Containers();
    /** Where relative paths in the file are resolved from. */
    public transient Path baseDir = Path.of(".").toAbsolutePath().normalize();

    /**
     * Container service replicas: {@code runtime} is {@code docker} (Docker Engine through its CLI), {@code process}
     * (the command {@code commands} names for the service's image, serving HTTP on the port in {@code {port}} and in
     * {@code PORT}), or {@code auto} (docker when its CLI is on the PATH, process otherwise). An external service's
     * credential is attached by this agent from {@code external_credentials} (credential id → Authorization value).
     */
    public static final class Containers {
        public String runtime = "auto";
        public String dockerCommand = "docker";
        public Map<String, List<String>> commands = new LinkedHashMap<>();
        public Map<String, String> externalCredentials = new LinkedHashMap<>();
    }

    public static final class Runtimes {
        public Exec exec = new Exec();
        public ComfyUi comfyui;
        public Nerfstudio nerfstudio;
    }

    /**
     * Nerfstudio's three tools; each a program with leading arguments, so a site can wrap them (a conda environment,
     * a container): {@code train: ["conda", "run", "-n", "nerfstudio", "ns-train"]}.
     */
    public static final class Nerfstudio {
        public List<String> processData = new ArrayList<>(List.of("ns-process-data"));
        public List<String> train = new ArrayList<>(List.of("ns-train"));
        public List<String> export = new ArrayList<>(List.of("ns-export"));
        public Map<String, String> env = new LinkedHashMap<>();
        /** Seconds a whole run may take; 0 = the workflow's task_timeout only. */
        public int timeoutSeconds;
    }

    /** Commands the operator allows; a workflow of tool type exec names one of them. */
    public static final class Exec {
        public Map<String, ExecCommand> commands = new LinkedHashMap<>();
    }

    public static final class ExecCommand {
        /**
         * The program and its arguments, run without a shell; {@code {{key}}} in an argument is replaced by the
         * task's parameter value. Do not put placeholders inside a {@code bash -c} script: pass them as separate
         * arguments or read {@code CYBERUN_PARAM_<KEY>}.
         */
        public List<String> command = new ArrayList<>();
        /** Seconds before the process is killed; 0 = the workflow's task_timeout only. */
        public int timeoutSeconds;
        public Map<String, String> env = new LinkedHashMap<>();
    }

    public static final class ComfyUi {
        public String url = "http://127.0.0.1:8188";
    }

    public static AgentConfig load(Path file) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        AgentConfig config = yaml.readValue(Files.readString(file), AgentConfig.class);
        config.baseDir = file.toAbsolutePath().getParent();
        if (config.agentLabels == null) {
            config.agentLabels = new ArrayList<>();
        }
        if (config.runtimes == null) {
            config.runtimes = new Runtimes();
        }
        if (config.tunnelPorts == null) {
            config.tunnelPorts = new ArrayList<>();
        }
        if (config.containers == null) {
            config.containers = new Containers();
        }
        if (config.containers.commands == null) {
            config.containers.commands = new LinkedHashMap<>();
        }
        if (config.containers.externalCredentials == null) {
            config.containers.externalCredentials = new LinkedHashMap<>();
        }
        if (config.runtimes.exec == null) {
            config.runtimes.exec = new Exec();
        }
        return config;
    }

    /** Problems that stop the agent from starting, each with what to do. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (server == null || server.isBlank()) {
            problems.add("no server: pass --server ws://HOST:8083 (agent-hub) or set server: in the config file");
        } else {
            for (String one : servers()) {
                try {
                    String scheme = URI.create(one).getScheme();
                    if (!"ws".equals(scheme) && !"wss".equals(scheme) && !"http".equals(scheme) && !"https".equals(scheme)) {
                        problems.add("server must be a ws://, wss://, http:// or https:// URL, not " + one);
                    }
                } catch (IllegalArgumentException e) {
                    problems.add("server is not a URL: " + one);
                }
            }
        }
        if (key == null || !key.startsWith("ak-")) {
            problems.add("no agent key: pass --key ak-... or set CYBERUN_AGENT_KEY (create one under Access → Agent keys)");
        }
        if (agentId == null || !agentId.matches("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")) {
            problems.add("agent id must be 1-100 letters, digits, . _ - (pass --id or set agent_id:)");
        }
        if (healthCheckSeconds < 1) {
            problems.add("health_check_seconds must be at least 1");
        }
        if (runtimes.comfyui != null) {
            try {
                String scheme = URI.create(runtimes.comfyui.url).getScheme();
                if (!"http".equals(scheme) && !"https".equals(scheme)) {
                    problems.add("runtimes.comfyui.url must be an http:// or https:// URL, not " + runtimes.comfyui.url);
                }
            } catch (IllegalArgumentException | NullPointerException e) {
                problems.add("runtimes.comfyui.url is not a URL: " + runtimes.comfyui.url);
            }
        }
        if (tunnelPorts.stream().anyMatch(p -> p == null || p < 1 || p > 65535)) {
            problems.add("tunnel_ports must be ports between 1 and 65535, not " + tunnelPorts);
        }
        if (tunnelIdleMinutes < 1) {
            problems.add("tunnel_idle_minutes must be at least 1");
        }
        if (!List.of("auto", "process", "docker").contains(containers.runtime)) {
            problems.add("containers.runtime must be auto, process or docker, not " + containers.runtime);
        }
        containers.commands.forEach((image, command) -> {
            if (command == null || command.isEmpty()) {
                problems.add("containers.commands." + image + " must name a program and its arguments");
            }
        });
        if (gpuCapacity < 1 || gpuCapacity > 64) {
            problems.add("gpu_capacity must be between 1 and 64");
        }
        return problems;
    }

    /** The hub addresses given, in order: one, or several separated by commas (replicas behind no load balancer). */
    public List<String> servers() {
        return server == null ? List.of() : java.util.Arrays.stream(server.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The agent's work folder: {@code work_dir}, or one in the temporary folder named after the agent. */
    public Path workPath() {
        return workDir == null ? Path.of(System.getProperty("java.io.tmpdir"), "cyberun-agent-" + agentId) : resolve(workDir);
    }

    /** Where models are cached: {@code models_dir}, or {@code models} in the work folder. */
    public Path modelsPath() {
        return modelsDir == null ? workPath().resolve("models") : resolve(modelsDir);
    }

    /** The WebSocket URLs of agent-hub's agent endpoint, one per server. */
    public List<URI> hubUris(String path) {
        return servers().stream().map(one -> {
            String base = one.replaceFirst("^http", "ws").replaceAll("/$", "");
            return URI.create(base.endsWith(path) ? base : base + path);
        }).toList();
    }

    public Path resolve(String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : baseDir.resolve(p).normalize();
    }
}
