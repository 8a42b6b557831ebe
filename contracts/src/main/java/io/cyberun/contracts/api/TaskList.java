package io.cyberun.contracts.api;

import java.util.List;

/** A page of tasks ({@code GET /api/v1/r/tasks}). */
public record TaskList(List<TaskView> taskList, PageMeta pageMeta) {
}
