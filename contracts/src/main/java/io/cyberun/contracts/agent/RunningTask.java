package io.cyberun.contracts.agent;

import java.util.UUID;

/** A task an agent runs, with the dispatch attempt it runs. */
public record RunningTask(UUID taskId, int attempt) {
}
