package io.cyberun.task.repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.task.domain.WorkflowDefinition;
import io.cyberun.task.mapping.WorkflowMapping;
import io.cyberun.task.model.Workflow;
import io.cyberun.task.model.RunnableWorkflow;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live version of a workflow as a run needs it, read with one plain query (a run is the hottest read). Every save of a
 * workflow makes a new version, so the parsed definition of a version never changes: it is kept, bounded, and only the
 * small row that says which version is live (and whether it is active) is read per run.
 */
@ApplicationScoped
public class RunnableWorkflows {
    static final int CACHED = 2_000;
    static final String COLUMNS = "id, version, workflow_status, workflow_slug, display_name, description, tool_type, workflow_json::text,"
            + " parameters, required_labels, required_models, task_timeout, max_retries, min_vram_gb, preferred_gpu, default_dispatch_target";

    private final Pool pool;
    private final ObjectMapper json;
    private final Map<String, WorkflowDefinition> definitions = new ConcurrentHashMap<>();

    public RunnableWorkflows(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    /** The team's workflow with this slug, or {@code null}. */
    public Uni<RunnableWorkflow> bySlug(UUID teamId, String slug) {
        return pool.preparedQuery("select " + COLUMNS + " from workflow where team_id = $1 and workflow_slug = $2")
                .execute(Tuple.of(teamId, slug)).map(rows -> rows.size() == 0 ? null : runnable(rows.iterator().next()));
    }

    /** The team's workflow with this id, or {@code null}. */
    public Uni<RunnableWorkflow> byId(UUID teamId, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from workflow where team_id = $1 and id = $2")
                .execute(Tuple.of(teamId, id)).map(rows -> rows.size() == 0 ? null : runnable(rows.iterator().next()));
    }

    private RunnableWorkflow runnable(Row r) {
        UUID id = r.getUUID(0);
        int version = r.getInteger(1);
        String status = r.getString(2);
        WorkflowDefinition def = definitions.get(id + "@" + version);
        if (def == null) {
            def = WorkflowMapping.definition(workflow(r), json);
            if (definitions.size() >= CACHED) {
                definitions.clear();
            }
            definitions.put(id + "@" + version, def);
        }
        Workflow w = new Workflow();
        w.workflowStatus = status;
        return new RunnableWorkflow(id, version, w.isActive(), def);
    }

    private Workflow workflow(Row r) {
        try {
            Workflow w = new Workflow();
            w.id = r.getUUID(0);
            w.version = r.getInteger(1);
            w.workflowStatus = r.getString(2);
            w.workflowSlug = r.getString(3);
            w.displayName = r.getString(4);
            w.description = r.getString(5);
            w.toolType = r.getString(6);
            w.workflowJson = json.readTree(r.getString(7));
            w.parameters = json.readTree(r.getString(8));
            w.requiredLabels = json.readTree(r.getString(9));
            w.requiredModels = json.readTree(r.getString(10));
            w.taskTimeout = r.getInteger(11);
            w.maxRetries = r.getInteger(12);
            w.minVramGb = r.getInteger(13);
            w.preferredGpu = r.getString(14);
            w.defaultDispatchTarget = r.getString(15);
            return w;
        } catch (Exception e) {
            throw new IllegalStateException("a stored workflow is unreadable", e);
        }
    }
}
