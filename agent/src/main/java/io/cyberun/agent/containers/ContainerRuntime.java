package io.cyberun.agent.containers;

import io.cyberun.agent.config.AgentConfig;
import io.cyberun.contracts.container.ReplicaSpec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Runs container service replicas on this machine; each serves HTTP on a port of 127.0.0.1 the agent chose. */
public interface ContainerRuntime {

    /** The configured runtime; {@code auto}: docker when its CLI is on the PATH, process otherwise. */
    static ContainerRuntime configured(AgentConfig config, Path workDir) {
        String wanted = config.containers.runtime;
        boolean docker = "docker".equals(wanted) || ("auto".equals(wanted) && onPath(config.containers.dockerCommand));
        return docker ? new DockerRuntime(config.containers.dockerCommand)
                : new ProcessRuntime(config.containers.commands, workDir.resolve("containers"), config.baseDir);
    }

    private static boolean onPath(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }


    /** {@code docker} or {@code process}. */
    String name();

    /** At the agent's start: stops what an earlier run of the agent left running, where the runtime can tell. */
    default void recover() {
    }

    /** Starts the replica serving on {@code port}; throws with a reason the operator can act on when it cannot. */
    Running start(ReplicaSpec spec, int port) throws Exception;

    /** A started replica. */
    interface Running {
        /** Whether it still runs. */
        boolean alive();

        /** Why it stopped running (an exit code, the last line it printed). */
        String exitReason();

        /** Stops it (and waits a little for it to go). */
        void stop();
    }
}
