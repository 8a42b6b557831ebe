package io.cyberun.agent.containers;

import io.cyberun.contracts.container.ReplicaSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Replicas as plain processes: the operator maps each image a service may name to the command that serves it
 * ({@code containers.commands}), so the API never chooses what runs on the machine. {@code {port}} in an argument and
 * the {@code PORT} variable carry the port; the service's {@code env_config} is the process's environment (over the
 * agent's). Output goes to {@code <work dir>/containers/<replica id>.log}. Volumes and GPU pinning are docker's.
 */
public final class ProcessRuntime implements ContainerRuntime {
    private final Map<String, List<String>> commands;
    private final Path logs;
    private final Path directory;

    /** {@code directory}: where the commands run (the config file's folder, as for the exec runtime). */
    public ProcessRuntime(Map<String, List<String>> commands, Path logs, Path directory) {
        this.commands = Map.copyOf(commands);
        this.logs = logs;
        this.directory = directory;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public Running start(ReplicaSpec spec, int port) throws IOException {
        List<String> template = commands.get(spec.dockerImage());
        if (template == null) {
            throw new IOException("this agent's process runtime has no command for image " + spec.dockerImage()
                    + " (add it under containers.commands in the agent's config, or run the agent with containers.runtime: docker)");
        }
        List<String> command = new ArrayList<>();
        template.forEach(arg -> command.add(arg.replace("{port}", Integer.toString(port))));
        Files.createDirectories(logs);
        Path log = logs.resolve(spec.replicaId() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(spec.env());
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("CYBERUN_REPLICA_ID", spec.replicaId());
        builder.environment().put("CYBERUN_SERVICE_SLUG", spec.serviceSlug());
        Process process = builder.start();
        return new Running() {
            @Override
            public boolean alive() {
                return process.isAlive();
            }

            @Override
            public String exitReason() {
                return "the process exited with code " + (process.isAlive() ? "?" : process.exitValue()) + lastLine(log);
            }

            @Override
            public void stop() {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.descendants().forEach(ProcessHandle::destroyForcibly);
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    String line = lines.get(i).strip();
                    return "; its last output: " + (line.length() > 300 ? line.substring(0, 300) + "…" : line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no log to quote
        }
        return "";
    }
}
