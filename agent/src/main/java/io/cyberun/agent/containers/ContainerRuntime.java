package io.cyberun.agent.containers;

import io.cyberun.contracts.container.ReplicaSpec;

/** Runs container service replicas on this machine; each serves HTTP on a port of 127.0.0.1 the agent chose. */
public interface ContainerRuntime {

    /** {@code docker} or {@code process}. */
    String name();

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
