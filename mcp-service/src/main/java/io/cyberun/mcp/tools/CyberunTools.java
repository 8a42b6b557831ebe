package io.cyberun.mcp.tools;

import static io.cyberun.mcp.api.GatewayApi.segment;
import static io.cyberun.mcp.api.ToolResults.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.api.TaskList;
import io.cyberun.contracts.api.TaskResultView;
import io.cyberun.contracts.api.TaskView;
import io.cyberun.contracts.api.WorkflowList;
import io.cyberun.contracts.api.WorkflowView;
import io.cyberun.mcp.api.ApiReply;
import io.cyberun.mcp.api.GatewayApi;
import io.cyberun.mcp.api.ToolResults;
import io.quarkiverse.mcp.server.Cancellation;
import io.quarkiverse.mcp.server.Progress;
import io.quarkiverse.mcp.server.Tool;
import io.quarkiverse.mcp.server.ToolArg;
import io.quarkiverse.mcp.server.ToolCallException;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolResponse;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Cyberun tools: each is a thin adapter over one operation of the public REST API, called with the caller's
 * own key. Descriptions are written for an AI client: what a tool does, where its arguments come from, and what to
 * call next.
 */
@ApplicationScoped
public class CyberunTools {
    static final String PAGE = "Page number, from 1 (default 1). The answer's page_meta tells how many pages there are.";
    static final String PER_PAGE = "Items per page, 1 to 100 (default 20).";
    static final String WORKFLOW_ID = "The workflow's id (a UUID), from list_workflows or get_workflow_by_slug.";
    static final String WORKFLOW_SLUG = "The workflow's slug, e.g. \"flux-portrait\", optionally pinned to a version as "
            + "\"flux-portrait@3\". Slugs are in list_workflows.";
    static final String PARAMETERS = "The workflow's parameters as an object, e.g. {\"prompt\": \"a red fox\", \"steps\": 20}. "
            + "Read the workflow's `parameters` with get_workflow or get_workflow_by_slug first: use each entry's `key`, respect "
            + "its type, range and options, and ask the user for every required one they did not give. Omitted optional "
            + "parameters take their defaults. For an input file, pass the file_key from presign_file_upload.";
    static final String RUN_BODY = "Alternative to `parameters`, as Cyberun Cloud's skill sends it: the whole run request, "
            + "e.g. {\"parameters\": {...}, \"priority\": 5}. Give `parameters` or `body`, not both.";
    static final String PRIORITY = "Optional scheduling priority within the team, -100 to 100 (higher runs first; default 0).";
    static final String TASK_ID = "The task's id (a UUID), as run_workflow or run_workflow_by_slug returned it, or from list_tasks.";
    static final String SERVICE_SLUG = "The container service's slug, from list_container_services.";
    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    private final GatewayApi api;
    private final ObjectMapper json;
    private final TaskEventStreaming streaming;

    /**
     * {@code tools} is injected so that the extension announces {@code tools.listChanged}, as Cyberun Cloud does: the
     * list is meant to change (container-service tools) and clients should listen for it.
     */
    public CyberunTools(GatewayApi api, ObjectMapper json, TaskEventStreaming streaming, ToolManager tools) {
        this.api = api;
        this.json = json;
        this.streaming = streaming;
    }

    @Tool(name = "list_workflows", description = "List the team's workflow templates (id, slug, name, version, status), newest first. "
            + "Call get_workflow or get_workflow_by_slug next to read a workflow's parameters before running it.")
    @RunOnVirtualThread
    public ToolResponse listWorkflows(@ToolArg(name = "current_page", description = PAGE, required = false) Integer currentPage,
                                      @ToolArg(name = "per_page", description = PER_PAGE, required = false) Integer perPage) {
        ApiReply<WorkflowList> reply = api.call(c -> c.workflows(api.callerAuthorization(), currentPage, perPage));
        return ToolResults.of(reply, json, body -> ToolSummaries.list(body.workflowList(), body.pageMeta(), "workflow", ToolSummaries::workflowLine));
    }

    @Tool(name = "get_workflow", description = "Read one workflow: its parameters (key, type, required, default, min, max, "
            + "options), the labels an agent needs, timeout and retries. Read this before run_workflow.")
    @RunOnVirtualThread
    public ToolResponse getWorkflow(@ToolArg(name = "workflow_id", description = WORKFLOW_ID) String workflowId) {
        String auth = api.callerAuthorization();
        return workflow(api.call(c -> c.workflow(auth, segment("workflow_id", workflowId))));
    }

    @Tool(name = "get_workflow_by_slug", description = "Read one workflow by its slug (or slug@version for a pinned version): "
            + "the same answer as get_workflow. Use it when the user names a workflow.")
    @RunOnVirtualThread
    public ToolResponse getWorkflowBySlug(@ToolArg(name = "workflow_slug", description = WORKFLOW_SLUG) String workflowSlug) {
        String auth = api.callerAuthorization();
        return workflow(api.call(c -> c.workflowBySlug(auth, segment("workflow_slug", workflowSlug))));
    }

    @Tool(name = "run_workflow", description = "Submit a task that runs a workflow on one of the team's agents. Returns "
            + "{task_id} at once; follow it with stream_task_events, then get_task_result. Needs a member (or higher) key.")
    @RunOnVirtualThread
    public ToolResponse runWorkflow(@ToolArg(name = "workflow_id", description = WORKFLOW_ID) String workflowId,
                                    @ToolArg(description = PARAMETERS, required = false) Map<String, Object> parameters,
                                    @ToolArg(description = RUN_BODY, required = false) Map<String, Object> body,
                                    @ToolArg(description = PRIORITY, required = false) Integer priority) {
        String auth = api.callerAuthorization();
        ObjectNode request = runBody(parameters, body, priority);
        return ToolResults.of(api.call(c -> c.run(auth, segment("workflow_id", workflowId), request)), json, ToolSummaries::submitted);
    }

    @Tool(name = "run_workflow_by_slug", description = "Submit a task that runs the workflow with this slug (slug@version pins "
            + "a version). Returns {task_id} at once; follow it with stream_task_events, then get_task_result. Needs a member "
            + "(or higher) key.")
    @RunOnVirtualThread
    public ToolResponse runWorkflowBySlug(@ToolArg(name = "workflow_slug", description = WORKFLOW_SLUG) String workflowSlug,
                                          @ToolArg(description = PARAMETERS, required = false) Map<String, Object> parameters,
                                          @ToolArg(description = RUN_BODY, required = false) Map<String, Object> body,
                                          @ToolArg(description = PRIORITY, required = false) Integer priority) {
        String auth = api.callerAuthorization();
        ObjectNode request = runBody(parameters, body, priority);
        return ToolResults.of(api.call(c -> c.runBySlug(auth, segment("workflow_slug", workflowSlug), request)), json, ToolSummaries::submitted);
    }

    @Tool(name = "list_tasks", description = "List the team's tasks, newest first, with status and progress; optionally only "
            + "those in one status.")
    @RunOnVirtualThread
    public ToolResponse listTasks(@ToolArg(name = "current_page", description = PAGE, required = false) Integer currentPage,
                                  @ToolArg(name = "per_page", description = PER_PAGE, required = false) Integer perPage,
                                  @ToolArg(description = "Only tasks in this status: pending, waiting, provisioning, queued, running, "
                                          + "completed, failed or cancelled.", required = false) String status) {
        ApiReply<TaskList> reply = api.call(c -> c.tasks(api.callerAuthorization(), currentPage, perPage, status));
        return ToolResults.of(reply, json, body -> ToolSummaries.list(body.taskList(), body.pageMeta(), "task", ToolSummaries::taskLine));
    }

    @Tool(name = "get_task", description = "Read a task's current state: status, progress, parameters, agent, attempts and its "
            + "last log lines (a failed task shows why it failed).")
    @RunOnVirtualThread
    public ToolResponse getTask(@ToolArg(name = "task_id", description = TASK_ID) String taskId) {
        ApiReply<TaskView> reply = api.call(c -> c.task(api.callerAuthorization(), segment("task_id", taskId)));
        return ToolResults.of(reply, json, ToolSummaries::taskSummary);
    }

    @Tool(name = "get_task_result", description = "The outcome of a finished task: its output files with fresh download URLs "
            + "(valid for a limited time; call again for new ones), or its error. Call it after stream_task_events reports completed.")
    @RunOnVirtualThread
    public ToolResponse getTaskResult(@ToolArg(name = "task_id", description = TASK_ID) String taskId) {
        ApiReply<TaskResultView> reply = api.call(c -> c.taskResult(api.callerAuthorization(), segment("task_id", taskId)));
        return ToolResults.of(reply, json, ToolSummaries::resultSummary);
    }

    @Tool(name = "cancel_task", description = "Cancel a task that has not finished (a running task's agent is told to stop). "
            + "Cancelling a finished task changes nothing and succeeds. Needs a member (or higher) key.")
    @RunOnVirtualThread
    public ToolResponse cancelTask(@ToolArg(name = "task_id", description = TASK_ID) String taskId) {
        ApiReply<JsonNode> reply = api.call(c -> c.cancel(api.callerAuthorization(), segment("task_id", taskId)));
        return ToolResults.of(reply, json, body -> "cancel requested for task " + taskId.strip()
                + "; get_task shows its state (a finished task keeps its state)");
    }

    @Tool(name = "stream_task_events", description = "Wait for a task while it runs: sends an MCP progress notification for "
            + "every event (status change, progress, log lines) when the request carries a progress token, and returns when "
            + "the task completes, fails or is cancelled (with its result), or when timeout_seconds pass (then call it again). "
            + "Prefer it over polling get_task.")
    @RunOnVirtualThread
    public ToolResponse streamTaskEvents(@ToolArg(name = "task_id", description = TASK_ID) String taskId,
                                         @ToolArg(name = "timeout_seconds", description = "How long to wait for the task to finish, "
                                                 + "1 to 1800 seconds (default 50, which suits clients that end tool calls after "
                                                 + "60 s). If the task is still running then, the answer says so: call again.",
                                                 required = false) Integer timeoutSeconds,
                                         Progress progress, Cancellation cancellation) {
        return streaming.stream(api.callerAuthorization(), taskId, timeoutSeconds, progress, cancellation);
    }

    @Tool(name = "list_agents", description = "List the team's connected agents with their status, labels, GPUs and free "
            + "slots. Agents that are idle or busy take new tasks; syncing, tunnel or unhealthy ones do not.")
    @RunOnVirtualThread
    public ToolResponse listAgents(@ToolArg(name = "current_page", description = PAGE, required = false) Integer currentPage,
                                   @ToolArg(name = "per_page", description = PER_PAGE, required = false) Integer perPage) {
        ApiReply<JsonNode> reply = api.call(c -> c.agents(api.callerAuthorization(), currentPage, perPage));
        return ToolResults.of(reply, json, body -> ToolSummaries.list(body, "agent_list", "agent", a -> text(a, "agent_id", text(a, "id", "?")) + " "
                + text(a, "agent_status", text(a, "status", "?"))));
    }

    @Tool(name = "list_container_services", description = "List the team's deployed container services with their status; "
            + "pick one whose service_status is running, then read it with get_container_service.")
    @RunOnVirtualThread
    public ToolResponse listContainerServices() {
        ApiReply<JsonNode> reply = api.call(c -> c.containers(api.callerAuthorization()));
        return ToolResults.of(reply, json, body -> ToolSummaries.list(body, "service_list", "container service",
                s -> text(s, "service_slug", "?") + " " + text(s, "service_status", "?")));
    }

    @Tool(name = "get_container_service", description = "Read one container service: URL, status, exposed ports, usage_prompt "
            + "(how to call it, written by its author) and openapi_url. Read usage_prompt before call_container_service; do not "
            + "invent a method or path.")
    @RunOnVirtualThread
    public ToolResponse getContainerService(@ToolArg(name = "service_slug", description = SERVICE_SLUG) String serviceSlug) {
        ApiReply<JsonNode> reply = api.call(c -> c.container(api.callerAuthorization(), segment("service_slug", serviceSlug)));
        return ToolResults.of(reply, json, s -> "container service " + text(s, "service_slug", serviceSlug) + ": "
                + text(s, "service_status", "?") + "; usage: " + text(s, "usage_prompt", "(none given)"));
    }

    @Tool(name = "call_container_service", description = "Send one HTTP request to a running container service through the "
            + "platform's tunnel. Returns {status_code, headers, body_base64}; decode body_base64 to read the answer. Needs a "
            + "member (or higher) key.")
    @RunOnVirtualThread
    public ToolResponse callContainerService(@ToolArg(name = "service_slug", description = SERVICE_SLUG) String serviceSlug,
                                             @ToolArg(description = "HTTP method: GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.") String method,
                                             @ToolArg(description = "Path on the service, starting with /, e.g. /api/generate "
                                                     + "(from the service's usage_prompt or OpenAPI document).") String path,
                                             @ToolArg(name = "body_base64", description = "The request body, base64-encoded; leave "
                                                     + "out (or empty) for GET and DELETE.", required = false) String bodyBase64,
                                             @ToolArg(description = "Extra request headers as an object of name to value, e.g. "
                                                     + "{\"Content-Type\": \"application/json\"}.", required = false) Map<String, String> headers) {
        String verb = method == null ? "" : method.strip().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(verb)) {
            throw new ToolCallException("method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, not \"" + method + "\"");
        }
        if (path == null || !path.startsWith("/")) {
            throw new ToolCallException("path must start with /, e.g. /api/generate");
        }
        if (bodyBase64 != null && !bodyBase64.isEmpty()) {
            try {
                Base64.getDecoder().decode(bodyBase64);
            } catch (IllegalArgumentException e) {
                throw new ToolCallException("body_base64 is not valid base64: " + e.getMessage());
            }
        }
        ObjectNode request = json.createObjectNode().put("method", verb).put("path", path).put("body_base64", bodyBase64 == null ? "" : bodyBase64);
        request.set("headers", json.valueToTree(headers == null ? Map.of() : headers));
        ApiReply<JsonNode> reply = api.call(c -> c.invoke(api.callerAuthorization(), segment("service_slug", serviceSlug), request));
        return ToolResults.of(reply, json, r -> "the service answered HTTP " + r.path("status_code").asInt());
    }

    @Tool(name = "presign_file_upload", description = "Get a presigned URL to upload a file a workflow will consume. Pass the "
            + "file's metadata as `body` ({file_name, file_size, content_type, workflow_slug?, parameter_key?}, as Cyberun "
            + "Cloud's skill sends it) or as separate arguments. PUT the file's bytes to upload_url with every header in "
            + "upload_headers, then pass file_key as the value of the workflow's file parameter. Needs a member (or higher) key.")
    @RunOnVirtualThread
    public ToolResponse presignFileUpload(@ToolArg(description = "The file's metadata: {\"file_name\": \"photo.png\", "
                                                  + "\"file_size\": 1234, \"content_type\": \"image/png\"}, optionally with "
                                                  + "workflow_slug and parameter_key. Give `body` or the separate arguments, not both.",
                                                  required = false) Map<String, Object> body,
                                          @ToolArg(name = "file_name", description = "The file's name, e.g. photo.png.", required = false) String fileName,
                                          @ToolArg(name = "file_size", description = "The file's exact size in bytes.", required = false) Long fileSize,
                                          @ToolArg(name = "content_type", description = "The file's media type, e.g. image/png.",
                                                  required = false) String contentType,
                                          @ToolArg(name = "workflow_slug", description = "Optional: the workflow the file is for; with "
                                                  + "parameter_key the platform checks the file type against that parameter before "
                                                  + "issuing a URL.", required = false) String workflowSlug,
                                          @ToolArg(name = "parameter_key", description = "Optional: the key of the workflow parameter "
                                                  + "the file is for.", required = false) String parameterKey) {
        boolean separate = fileName != null || fileSize != null || contentType != null || workflowSlug != null || parameterKey != null;
        ObjectNode request;
        if (body != null) {
            if (separate) {
                throw new ToolCallException("give the file's metadata either as body or as separate arguments, not both");
            }
            request = json.valueToTree(body);
        } else {
            if (fileName == null || contentType == null) {
                throw new ToolCallException("missing the file's metadata: give body {file_name, file_size, content_type} "
                        + "(or file_name, file_size and content_type as separate arguments)");
            }
            request = json.createObjectNode().put("file_name", fileName).put("content_type", contentType);
            if (fileSize != null) {
                request.put("file_size", fileSize);
            }
            if (workflowSlug != null) {
                request.put("workflow_slug", workflowSlug);
            }
            if (parameterKey != null) {
                request.put("parameter_key", parameterKey);
            }
        }
        ApiReply<JsonNode> reply = api.call(c -> c.presign(api.callerAuthorization(), request));
        return ToolResults.of(reply, json, r -> "upload with PUT to upload_url (with upload_headers) before " + text(r, "expires_at", "it expires")
                + "; then use file_key " + text(r, "file_key", "?") + " as the parameter's value");
    }

    /** get_workflow and get_workflow_by_slug: one workflow, summarised with its parameters. */
    private ToolResponse workflow(ApiReply<WorkflowView> reply) {
        return ToolResults.of(reply, json, ToolSummaries::workflowSummary);
    }

    /** run_workflow and run_workflow_by_slug: the run request, from the parameters or the whole body. */
    private ObjectNode runBody(Map<String, Object> parameters, Map<String, Object> body, Integer priority) {
        if (parameters != null && body != null) {
            throw new ToolCallException("give either parameters or body, not both");
        }
        ObjectNode request = body != null ? json.valueToTree(body) : json.createObjectNode();
        if (parameters != null) {
            request.set("parameters", json.valueToTree(parameters));
        }
        if (priority != null) {
            request.put("priority", priority);
        }
        return request;
    }
}
