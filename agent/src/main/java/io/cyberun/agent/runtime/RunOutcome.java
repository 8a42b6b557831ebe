package io.cyberun.agent.runtime;

/** How a run ended: success, or a failure with a message for the task's error. */
public record RunOutcome(boolean success, String error) {
    public static RunOutcome ok() {
        return new RunOutcome(true, null);
    }

    public static RunOutcome failed(String error) {
        return new RunOutcome(false, error);
    }
}
