package io.cyberun.agent.containers;

import io.cyberun.contracts.container.ReplicaSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Replicas as Docker containers, through the Docker CLI ({@code containers.docker_command}): {@code docker run -d}
 * named {@code cyberun-<replica id>}, the service's {@code exposed_port} published on the agent's chosen port of
 * 127.0.0.1 only, its environment and volumes, and {@code --gpus} for its {@code gpu_count}. Private images need the
 * registry credentials on this machine ({@code docker login}).
 */
public final class DockerRuntime implements ContainerRuntime {
    private final String docker;

    public DockerRuntime(String docker) {
        this.docker = docker;
    }

    @Override
    public String name() {
        return "docker";
    }

    /** The {@code docker run} arguments for a replica (visible for tests). */
    List<String> runArguments(ReplicaSpec spec, int port) {
        List<String> args = new ArrayList<>(List.of(docker, "run", "-d", "--name", container(spec), "--label", "cyberun.service=" + spec.serviceSlug(),
                "-p", "127.0.0.1:" + port + ":" + spec.exposedPort()));
        spec.env().forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
        spec.volumes().forEach(v -> args.addAll(List.of("-v", v.hostPath() + ":" + v.containerPath())));
        if (spec.gpuCount() < 0) {
            args.addAll(List.of("--gpus", "all"));
        } else if (spec.gpuCount() > 0) {
            args.addAll(List.of("--gpus", Integer.toString(spec.gpuCount())));
        }
        args.add(spec.dockerImage());
        return args;
    }

    @Override
    public Running start(ReplicaSpec spec, int port) throws IOException, InterruptedException {
        String name = container(spec);
        run(List.of(docker, "rm", "-f", name)); // a leftover of an earlier agent process
        Result started = run(runArguments(spec, port));
        if (started.code != 0) {
            throw new IOException("docker run " + spec.dockerImage() + " failed (exit " + started.code + "): " + started.output.strip());
        }
        return new Running() {
            @Override
            public boolean alive() {
                Result r = quietly(List.of(docker, "inspect", "-f", "{{.State.Running}}", name));
                return r.code == 0 && r.output.strip().equals("true");
            }

            @Override
            public String exitReason() {
                Result r = quietly(List.of(docker, "inspect", "-f", "exit code {{.State.ExitCode}} {{.State.Error}}", name));
                Result logs = quietly(List.of(docker, "logs", "--tail", "1", name));
                return "the container stopped: " + (r.code == 0 ? r.output.strip() : "it is gone")
                        + (logs.output.isBlank() ? "" : "; its last output: " + logs.output.strip());
            }

            @Override
            public void stop() {
                quietly(List.of(docker, "rm", "-f", name));
            }
        };
    }

    static String container(ReplicaSpec spec) {
        return "cyberun-" + spec.replicaId();
    }

    private record Result(int code, String output) {
    }

    private static Result quietly(List<String> command) {
        try {
            return run(command);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
