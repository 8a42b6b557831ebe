package io.cyberun.mcp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.api.WorkflowList;
import io.cyberun.contracts.api.WorkflowView;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.mcp.api.ApiJson;
import io.cyberun.mcp.api.ApiReply;
import io.cyberun.mcp.api.GatewayApi;
import io.quarkiverse.mcp.server.JsonRpcErrorCodes;
import io.quarkiverse.mcp.server.McpException;
import io.quarkiverse.mcp.server.RequestUri;
import io.quarkiverse.mcp.server.Resource;
import io.quarkiverse.mcp.server.ResourceTemplate;
import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkiverse.mcp.server.ToolCallException;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The team's workflow catalog as MCP resources, so a client can put it in its model's context without a tool call:
 * {@value #CATALOG} lists every workflow with its parameters, and {@code cyberun://workflows/{workflow_slug}} reads one
 * (slug@version for a pinned version). Both are read with the caller's own key, so each team sees its own catalog;
 * each entry says how to run the workflow.
 */
@Singleton
public class WorkflowResources {
    static final String CATALOG = "cyberun://workflows";
    /** The catalog lists at most this many workflows (pages of 100, newest first); it says when there are more. */
    static final int MAX_WORKFLOWS = 500;
    static final List<String> FIELDS = List.of("id", "workflow_slug", "display_name", "description", "version", "workflow_status",
            "tool_type", "parameters", "required_labels", "task_timeout", "max_retries", "preferred_gpu", "min_vram_gb", "required_models");

    private final GatewayApi api;
    private final ObjectMapper json;

    public WorkflowResources(GatewayApi api, ObjectMapper json) {
        this.api = api;
        this.json = json;
    }

    @Resource(uri = CATALOG, name = "workflow_catalog", title = "Workflow catalog", mimeType = "application/json",
            description = "The team's workflows, newest first, each with its parameters (key, type, required, default, min, max, "
                    + "options) and how to run it. Read cyberun://workflows/{workflow_slug} for one workflow.")
    @RunOnVirtualThread
    public TextResourceContents catalog(RequestUri uri) {
        String authorization = authorization();
        ArrayNode workflows = json.createArrayNode();
        boolean more = false;
        for (int page = 1; ; page++) {
            int current = page;
            WorkflowList body = read(api.call(c -> c.workflows(authorization, current, 100)), uri);
            List<WorkflowView> listed = body.workflowList() == null ? List.of() : body.workflowList();
            for (WorkflowView w : listed) {
                if (workflows.size() == MAX_WORKFLOWS) {
                    more = true;
                    break;
                }
                workflows.add(entry(w));
            }
            if (more || listed.size() < 100) {
                break;
            }
        }
        ObjectNode catalog = json.createObjectNode();
        catalog.set("workflows", workflows);
        catalog.put("complete", !more);
        return new TextResourceContents(uri.value(), catalog.toPrettyString(), "application/json");
    }

    @ResourceTemplate(uriTemplate = "cyberun://workflows/{workflow_slug}", name = "workflow", title = "Workflow",
            mimeType = "application/json", description = "One workflow by its slug (slug@version for a pinned version): its "
                    + "parameters and how to run it, as in the catalog.")
    @RunOnVirtualThread
    public TextResourceContents workflow(String workflow_slug, RequestUri uri) {
        String slug;
        try {
            slug = GatewayApi.segment("workflow_slug", workflow_slug);
        } catch (ToolCallException e) {
            throw new McpException(e.getMessage(), JsonRpcErrorCodes.INVALID_PARAMS);
        }
        WorkflowView w = read(api.call(c -> c.workflowBySlug(authorization(), slug)), uri);
        return new TextResourceContents(uri.value(), entry(w).toPrettyString(), "application/json");
    }

    /** A workflow as the catalog shows it: what a caller needs to run it, and how. */
    private ObjectNode entry(WorkflowView workflow) {
        JsonNode w = ApiJson.tree(workflow);
        ObjectNode e = json.createObjectNode();
        for (String field : FIELDS) {
            if (w.has(field)) {
                e.set(field, w.get(field));
            }
        }
        String slug = workflow.workflowSlug();
        e.put("uri", CATALOG + "/" + slug);
        ObjectNode example = json.createObjectNode();
        for (ParameterDef p : workflow.parameters() == null ? List.<ParameterDef>of() : workflow.parameters()) {
            if (p.isRequired() && (p.defaultValue() == null || p.defaultValue().isNull())) {
                example.put(p.key(), "<" + (p.type() == null ? "value" : p.type().wireName()) + ">");
            }
        }
        e.put("usage", "run_workflow_by_slug with {\"workflow_slug\": \"" + slug + "\", \"body\": {\"parameters\": " + example
                + "}}; every parameter not given takes its default. File parameters take a file_key from presign_file_upload.");
        return e;
    }

    private String authorization() {
        try {
            return api.callerAuthorization();
        } catch (ToolCallException e) {
            throw new McpException(e.getMessage(), JsonRpcErrorCodes.INVALID_REQUEST);
        }
    }

    /** The answer's body, or the API's refusal as a JSON-RPC error (a missing workflow: resource not found). */
    private static <T> T read(ApiReply<T> reply, RequestUri uri) {
        if (reply.ok()) {
            return reply.body();
        }
        String message = "reading " + uri.value() + " failed: HTTP " + reply.status() + " " + reply.errorMessage();
        throw new McpException(message, reply.status() == 404 ? JsonRpcErrorCodes.RESOURCE_NOT_FOUND : JsonRpcErrorCodes.INVALID_REQUEST);
    }
}
