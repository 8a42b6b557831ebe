package io.cyberun.file.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.file.client.TaskServiceClient;
import io.cyberun.file.service.InputService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.WebApplicationException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * {@code POST /api/v1/r/files/presign}: an upload URL for an input of a file parameter. When the request names the
 * parameter ({@code workflow_id} or {@code workflow_slug}, and {@code parameter_key}), a content type or file name
 * the parameter does not accept is refused before any URL is issued; otherwise the check happens at run time.
 */
@Path("/api/v1/r/files")
public class FileResource {
    private final InputService inputs;
    private final CurrentPrincipal principal;
    private final TaskServiceClient tasks;

    public FileResource(InputService inputs, CurrentPrincipal principal, @RestClient TaskServiceClient tasks) {
        this.inputs = inputs;
        this.principal = principal;
        this.tasks = tasks;
    }

    public record PresignRequest(String fileName, Long fileSize, String contentType, String workflowId, String workflowSlug,
                                 String parameterKey) {
    }

    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/presign")
    public Uni<InputService.Presigned> presign(PresignRequest request) {
        if (request == null) {
            throw ApiException.invalid("send file_name, file_size and content_type", List.of());
        }
        return acceptedBy(request).flatMap(ok -> inputs.presign(principal.teamId(), request.fileName(), request.fileSize(), request.contentType()));
    }

    /** Checks the named parameter's {@code accept} list, when the request names one. */
    private Uni<Boolean> acceptedBy(PresignRequest r) {
        boolean names = r.workflowId() != null || r.workflowSlug() != null;
        if (!names && r.parameterKey() == null) {
            return Uni.createFrom().item(true);
        }
        if (!names || r.parameterKey() == null || r.parameterKey().isBlank()) {
            return Uni.createFrom().failure(ApiException.invalid("name the file parameter with workflow_id or workflow_slug and parameter_key",
                    List.of(new FieldError(names ? "parameter_key" : "workflow_id", "is required with " + (names ? "a workflow" : "parameter_key")))));
        }
        String field = r.workflowId() != null ? "workflow_id" : "workflow_slug";
        Uni<JsonNode> workflow = r.workflowId() != null ? tasks.workflow(principal.token(), r.workflowId())
                : tasks.workflowBySlug(principal.token(), r.workflowSlug());
        return workflow.onFailure(WebApplicationException.class).transform(e -> {
            int status = ((WebApplicationException) e).getResponse().getStatus();
            return status == 404 || status == 400
                    ? ApiException.invalid("no such workflow in this team", List.of(new FieldError(field, "names no workflow of this team")))
                    : new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE, "task-service answered HTTP " + status + "; try again");
        }).onFailure(e -> !(e instanceof ApiException)).transform(e -> new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE,
                "task-service cannot be reached to check the parameter; try again, or presign without naming it")).map(w -> {
            for (JsonNode p : w.path("parameters")) {
                if (r.parameterKey().equals(p.path("key").asText())) {
                    if (!"file".equals(p.path("type").asText())) {
                        throw ApiException.invalid("not a file parameter", List.of(new FieldError("parameter_key", "is not a file parameter")));
                    }
                    List<String> accept = new ArrayList<>();
                    p.path("accept").forEach(a -> accept.add(a.asText()));
                    if (!ParameterDef.accepts(accept, r.contentType(), r.fileName())) {
                        throw ApiException.invalid("the parameter does not accept this file", List.of(new FieldError("content_type",
                                "parameter " + r.parameterKey() + " accepts " + accept)));
                    }
                    return true;
                }
            }
            throw ApiException.invalid("no such parameter", List.of(new FieldError("parameter_key", "the workflow has no parameter "
                    + r.parameterKey())));
        });
    }
}
