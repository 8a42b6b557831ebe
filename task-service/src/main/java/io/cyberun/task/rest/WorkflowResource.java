package io.cyberun.task.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.rest.IdResponse;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.PageMeta;
import io.cyberun.contracts.api.WorkflowList;
import io.cyberun.contracts.api.WorkflowView;
import io.cyberun.task.mapping.WorkflowDefinitions;
import io.cyberun.task.service.WorkflowService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;

/**
 * The workflow management API (user tokens and dk- keys): import, list, detail, update, delete, and the snapshot
 * history with restore. Reading needs any role in the team; changing needs admin.
 */
@Path("/api/v1/workflows")
public class WorkflowResource {
    private final WorkflowService workflows;
    private final CurrentPrincipal principal;
    private final ObjectMapper json;

    public WorkflowResource(WorkflowService workflows, CurrentPrincipal principal, ObjectMapper json) {
        this.workflows = workflows;
        this.principal = principal;
        this.json = json;
    }

    public record SnapshotList(List<SnapshotView> snapshotList, PageMeta pageMeta) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<WorkflowList> list(@Valid @BeanParam Paging paging) {
        PageRequest page = paging.request();
        return workflows.list(principal.teamId(), page.currentPage(), page.perPage())
                .map(p -> new WorkflowList(p.items().stream().map(w -> WorkflowViews.of(w, true, json)).toList(), page.meta(p.total())));
    }

    /** Creates the workflow, or saves a new version of the team's workflow with the same slug. */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/import")
    @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(description = "A workflow definition (what GET returns; id, version and timestamps are ignored)", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = WorkflowView.class)))
    public Uni<IdResponse> importWorkflow(JsonNode body) {
        return workflows.importWorkflow(principal.teamId(), WorkflowDefinitions.parse(body, json)).map(w -> new IdResponse(w.id));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}")
    public Uni<WorkflowView> get(@PathParam("id") UUID id) {
        return workflows.get(principal.teamId(), id).map(w -> WorkflowViews.of(w, true, json));
    }

    /** Replaces the fields the body names (a new version and snapshot); {@code workflow_status} disables runs. */
    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(description = "The fields to change; workflow_status disables runs", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = WorkflowView.class)))
    public Uni<IdResponse> update(@PathParam("id") UUID id, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw io.cyberun.common.rest.ApiException.invalid("send the fields to change as a JSON object", List.of());
        }
        return workflows.update(principal.teamId(), id, patch).map(w -> new IdResponse(w.id));
    }

    /** Deletes the workflow and its snapshots; tasks that ran it stay, with the spec they ran. */
    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return workflows.delete(principal.teamId(), id).replaceWith(Response.noContent().build());
    }

    /** The saved versions, newest first. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}/snapshots")
    public Uni<SnapshotList> snapshots(@PathParam("id") UUID id, @Valid @BeanParam Paging paging) {
        PageRequest page = paging.request();
        return workflows.snapshots(principal.teamId(), id, page.currentPage(), page.perPage())
                .map(p -> new SnapshotList(p.items().stream().map(s -> SnapshotView.of(s, false)).toList(), page.meta(p.total())));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}/snapshots/{snapshotId}")
    public Uni<SnapshotView> snapshot(@PathParam("id") UUID id, @PathParam("snapshotId") UUID snapshotId) {
        return workflows.snapshot(principal.teamId(), id, snapshotId).map(s -> SnapshotView.of(s, true));
    }

    /** Makes the snapshot's definition live again, as a new version; the previous live version keeps its snapshot. */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}/snapshots/{snapshotId}/restore")
    public Uni<IdResponse> restore(@PathParam("id") UUID id, @PathParam("snapshotId") UUID snapshotId) {
        return workflows.restore(principal.teamId(), id, snapshotId).map(w -> new IdResponse(w.id));
    }
}
