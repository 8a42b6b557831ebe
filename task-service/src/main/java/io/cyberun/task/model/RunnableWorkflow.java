package io.cyberun.task.model;

import io.cyberun.task.domain.WorkflowDefinition;
import java.util.UUID;

/** One exact version of a workflow that a run will use: the live one, or a snapshot named by slug@version. */
public record RunnableWorkflow(UUID workflowId, int version, boolean active, WorkflowDefinition definition) {
}
