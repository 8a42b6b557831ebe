package io.cyberun.agent.runtime;

import io.cyberun.contracts.agent.SystemStats;

/** Runs one kind of workflow (a tool type) on this machine. */
public interface TaskRuntime {

    /** The tool type this runtime runs: {@code exec}, {@code comfyui}, ... */
    String toolType();

    /**
     * Runs the task to its end, reporting through the context, and returns how it ended. Outputs are the files
     * left in {@link TaskContext#outputDir()}. Must return promptly once {@link TaskContext#cancelled()} is true.
     */
    RunOutcome run(TaskContext context) throws Exception;

    /** Why the runtime cannot take tasks now (its tool does not answer), or {@code null} when it can. */
    default String healthProblem() {
        return null;
    }

    /**
     * Called once when the agent starts: stops work a previous run of this agent left in the tool (the platform
     * has given those tasks away since).
     */
    default void recover() {
    }

    /** The machine's stats completed with what the tool knows (its version, its view of the GPUs). */
    default SystemStats describe(SystemStats machine) {
        return machine;
    }
}
