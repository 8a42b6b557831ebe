package io.cyberun.task.rest;

import java.util.UUID;

/** The answer to a run: 202 with the new task's id. */
public record TaskIdResponse(UUID taskId) {
}
