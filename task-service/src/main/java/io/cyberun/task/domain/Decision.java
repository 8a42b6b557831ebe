package io.cyberun.task.domain;

/** What the state machine decided for one command. */
public sealed interface Decision {

    /** The command applies: the task moves to {@code next}; {@code outcome} says which event records it. */
    record Accepted(TaskState next, Outcome outcome, String reason) implements Decision {
    }

    /** The command does not apply to the task as it is (duplicate, late, stale attempt, terminal task). */
    record Ignored(String why) implements Decision {
    }

    /** Which task event an accepted command produces. */
    enum Outcome {
        STATUS_CHANGED, RETRYING, COMPLETED, FAILED, CANCELLED
    }
}
