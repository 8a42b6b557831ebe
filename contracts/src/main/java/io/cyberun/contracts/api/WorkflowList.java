package io.cyberun.contracts.api;

import java.util.List;

/** A page of workflows ({@code GET /api/v1/r/workflows}, and the runtime's list for agents). */
public record WorkflowList(List<WorkflowView> workflowList, PageMeta pageMeta) {
}
