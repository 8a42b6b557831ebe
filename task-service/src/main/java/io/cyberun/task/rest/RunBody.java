package io.cyberun.task.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.task.service.TaskService;

/** The body of a run request (every field optional; no body means no parameters). */
public record RunBody(JsonNode parameters, String dispatchTarget, String targetPool, String submitterRegion, String toolType,
                      Integer priority) {

    public TaskService.RunRequest toRequest() {
        return new TaskService.RunRequest(parameters, dispatchTarget, targetPool, submitterRegion, toolType, priority);
    }

    static TaskService.RunRequest orEmpty(RunBody body) {
        return body == null ? new TaskService.RunRequest(null, null, null, null, null, null) : body.toRequest();
    }
}
