package io.cyberun.task.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.WorkflowList;
import io.cyberun.contracts.api.WorkflowView;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.task.model.RunnableWorkflow;
import io.cyberun.task.service.IdempotencyKeys;
import io.cyberun.task.service.RequestFingerprint;
import io.cyberun.task.service.TaskService;
import io.cyberun.task.service.WorkflowService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/** The runtime workflow API (JWT, sk- and dk- callers): read workflows, run them. */
@Path("/api/v1/r/workflows")
public class RuntimeWorkflowResource {
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private final WorkflowService workflows;
    private final TaskService tasks;
    private final CurrentPrincipal principal;
    private final ObjectMapper json;

    public RuntimeWorkflowResource(WorkflowService workflows, TaskService tasks, CurrentPrincipal principal, ObjectMapper json) {
        this.workflows = workflows;
        this.tasks = tasks;
        this.principal = principal;
        this.json = json;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<WorkflowList> list(@Valid @BeanParam Paging paging) {
        PageRequest page = paging.request();
        boolean includeJson = seesWorkflowJson();
        return workflows.list(principal.teamId(), page.currentPage(), page.perPage())
                .map(p -> new WorkflowList(p.items().stream().map(w -> WorkflowViews.of(w, includeJson, json)).toList(), page.meta(p.total())));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}")
    public Uni<WorkflowView> get(@PathParam("id") UUID id) {
        return workflows.get(principal.teamId(), id).map(w -> WorkflowViews.of(w, seesWorkflowJson(), json));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/slug/{slug}")
    public Uni<WorkflowView> getBySlug(@PathParam("slug") String slug) {
        UUID team = principal.teamId();
        boolean includeJson = seesWorkflowJson();
        return workflows.runnableBySlug(team, slug)
                .flatMap(r -> workflows.get(team, r.workflowId()).map(w -> WorkflowViews.of(w, r.version(), r.definition(), includeJson)));
    }

    /** Runs the workflow's live version; {@code Idempotency-Key} makes a retried request return the same task. */
    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/{id}/run")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "202", description = "Accepted: the task id", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = TaskIdResponse.class)))
    public Uni<Response> run(@PathParam("id") UUID id, @HeaderParam(IDEMPOTENCY_KEY) String key, RunBody body) {
        UUID team = principal.teamId();
        IdempotencyKeys.Claim claim = key == null ? null : IdempotencyKeys.Claim.of(key, RequestFingerprint.of("workflow:" + id, json.valueToTree(body)));
        return workflows.runnableById(team, id).flatMap(w -> submit(team, w, body, claim));
    }

    /** Runs by slug, or a pinned version with {@code slug@version}. */
    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/slug/{slug}/run")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "202", description = "Accepted: the task id", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = TaskIdResponse.class)))
    public Uni<Response> runBySlug(@PathParam("slug") String slug, @HeaderParam(IDEMPOTENCY_KEY) String key, RunBody body) {
        UUID team = principal.teamId();
        IdempotencyKeys.Claim claim = key == null ? null : IdempotencyKeys.Claim.of(key, RequestFingerprint.of("slug:" + slug, json.valueToTree(body)));
        return workflows.runnableBySlug(team, slug).flatMap(w -> submit(team, w, body, claim));
    }

    private Uni<Response> submit(UUID team, RunnableWorkflow workflow, RunBody body, IdempotencyKeys.Claim claim) {
        return tasks.submit(team, workflow, RunBody.orEmpty(body), claim)
                .map(task -> Response.accepted(new TaskIdResponse(task.id)).build());
    }

    /** API-key callers never see workflow_json (the product keeps graphs from integrations). */
    private boolean seesWorkflowJson() {
        return principal.get().kind() != CredentialKind.INTEGRATION;
    }
}
