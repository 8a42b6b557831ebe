package io.cyberun.contracts.task;

import java.time.Instant;

/**
 * One line a task's process wrote.
 *
 * @param stream {@code stdout}, {@code stderr} or {@code agent} (lines the agent itself adds)
 */
public record LogLine(Instant at, String stream, String text) {
}
