package io.cyberun.task.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.files.InputUpload;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import io.cyberun.task.client.FileServiceClient;
import io.cyberun.task.model.RunnableWorkflow;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Presigned uploads of run inputs. A request that names the file parameter it is for ({@code workflow_id} or
 * {@code workflow_slug}, with {@code parameter_key}) is checked here, beside the workflow, against that parameter's
 * type and accept list; file-service then issues the URL (it checks the name, size and media type). So task-service
 * calls file-service and never the other way round.
 */
@ApplicationScoped
public class InputUploads {
    private final WorkflowService workflows;
    private final FileServiceClient files;

    public InputUploads(WorkflowService workflows, @RestClient FileServiceClient files) {
        this.workflows = workflows;
        this.files = files;
    }

    /** {@code POST /api/v1/r/files/presign}'s body. */
    public record Request(String fileName, Long fileSize, String contentType, String workflowId, String workflowSlug, String parameterKey) {
    }

    public Uni<InputUpload.Presigned> presign(UUID team, Request r) {
        if (r == null) {
            throw ApiException.invalid("send file_name, file_size and content_type", List.of());
        }
        return accepted(team, r).flatMap(ok -> files.presignInput(new InputUpload.Request(r.fileName(), r.fileSize(), r.contentType()))
                .onFailure(WebApplicationException.class).transform(e -> refusal((WebApplicationException) e))
                .onFailure(e -> !(e instanceof ApiException)).transform(e -> new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE,
                        "file-service cannot be reached to issue the upload URL; try again shortly")));
    }

    /** Checks the named parameter's type and {@code accept} list, when the request names one. */
    private Uni<Void> accepted(UUID team, Request r) {
        boolean names = r.workflowId() != null || r.workflowSlug() != null;
        if (!names && r.parameterKey() == null) {
            return Uni.createFrom().voidItem();
        }
        if (!names || r.parameterKey() == null || r.parameterKey().isBlank()) {
            return Uni.createFrom().failure(ApiException.invalid("name the file parameter with workflow_id or workflow_slug and parameter_key",
                    List.of(new FieldError(names ? "parameter_key" : "workflow_id", "is required with " + (names ? "a workflow" : "parameter_key")))));
        }
        String field = r.workflowId() != null ? "workflow_id" : "workflow_slug";
        Uni<RunnableWorkflow> workflow;
        if (r.workflowId() != null) {
            UUID id;
            try {
                id = UUID.fromString(r.workflowId().strip());
            } catch (IllegalArgumentException e) {
                return Uni.createFrom().failure(noSuchWorkflow(field));
            }
            workflow = workflows.runnableById(team, id);
        } else {
            workflow = workflows.runnableBySlug(team, r.workflowSlug());
        }
        return workflow.onFailure(e -> e instanceof ApiException a && a.code() == ErrorCode.NOT_FOUND).transform(e -> noSuchWorkflow(field))
                .invoke(w -> check(w, r)).replaceWithVoid();
    }

    private static void check(RunnableWorkflow w, Request r) {
        for (ParameterDef p : w.definition().parameters()) {
            if (r.parameterKey().equals(p.key())) {
                if (p.type() != ParameterType.FILE) {
                    throw ApiException.invalid("not a file parameter", List.of(new FieldError("parameter_key", "is not a file parameter")));
                }
                if (!ParameterDef.accepts(p.accept(), r.contentType(), r.fileName())) {
                    throw ApiException.invalid("the parameter does not accept this file", List.of(new FieldError("content_type",
                            "parameter " + r.parameterKey() + " accepts " + p.accept())));
                }
                return;
            }
        }
        throw ApiException.invalid("no such parameter", List.of(new FieldError("parameter_key", "the workflow has no parameter "
                + r.parameterKey())));
    }

    private static ApiException noSuchWorkflow(String field) {
        return ApiException.invalid("no such workflow in this team", List.of(new FieldError(field, "names no workflow of this team")));
    }

    /** file-service refused the file (a bad name, size or type): its answer goes to the caller as it is. */
    private static ApiException refusal(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE, "file-service answered HTTP " + status + "; try again shortly");
        }
        ErrorBody body;
        try {
            body = e.getResponse().readEntity(ErrorBody.class);
        } catch (RuntimeException unreadable) {
            body = null;
        }
        return ApiException.passedOn(status, body);
    }
}
