package io.cyberun.agent.containers;

import io.cyberun.agent.AgentLog;
import io.cyberun.contracts.container.ReplicaSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Replicas as plain processes: the operator maps each image a service may name to the command that serves it
 * ({@code containers.commands}), so the API never chooses what runs on the machine. {@code {port}} in an argument and
 * the {@code PORT} variable carry the port; the service's {@code env_config} is the process's environment (over the
 * agent's). Output goes to {@code <work dir>/containers/<replica id>.log}. Volumes and GPU pinning are docker's.
 * <p>
 * Each running replica has a {@code <replica id>.pid} file beside its log (its pid and start time), removed when it is
 * stopped: an agent killed without stopping them ({@code kill -9}, a crash) leaves its replicas running, and the next
 * agent process stops them at start ({@link #recover}) before the platform asks it for replicas again.
 */
public final class ProcessRuntime implements ContainerRuntime {
    static final String PID_SUFFIX = ".pid";
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
        Path pidFile = logs.resolve(spec.replicaId() + PID_SUFFIX);
        Files.writeString(pidFile, process.pid() + " " + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
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
                end(process.toHandle());
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException e) {
                    // recover() finds the process gone and removes the file
                }
            }
        };
    }

    /**
     * Stops the replicas an earlier process of this agent left running, as their pid files name them: only a process
     * whose start time is the one recorded (a pid the system gave to another process since is left alone).
     */
    @Override
    public void recover() {
        if (!Files.isDirectory(logs)) {
            return;
        }
        List<Path> pidFiles;
        try (Stream<Path> files = Files.list(logs)) {
            pidFiles = files.filter(f -> f.getFileName().toString().endsWith(PID_SUFFIX)).toList();
        } catch (IOException e) {
            AgentLog.warn("could not look for replicas an earlier run left in %s: %s", logs, e.getMessage());
            return;
        }
        for (Path pidFile : pidFiles) {
            String replica = pidFile.getFileName().toString().replace(PID_SUFFIX, "");
            try {
                leftover(pidFile).ifPresent(process -> {
                    AgentLog.info("stopping replica %s (pid %d), which an earlier run of the agent left running", replica, process.pid());
                    end(process);
                });
                Files.deleteIfExists(pidFile);
            } catch (IOException | RuntimeException e) {
                AgentLog.warn("could not stop replica %s an earlier run left (%s): %s", replica, pidFile, e.getMessage());
            }
        }
    }

    private static Optional<ProcessHandle> leftover(Path pidFile) throws IOException {
        String[] recorded = Files.readString(pidFile).strip().split(" ");
        if (recorded.length != 2) {
            return Optional.empty();
        }
        long started = Long.parseLong(recorded[1]);
        return ProcessHandle.of(Long.parseLong(recorded[0])).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == started);
    }

    /** Asks the process and its children to stop, and makes them after 10 s. */
    private static void end(ProcessHandle process) {
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
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
