package io.cyberun.file.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.ApiException;
import io.cyberun.common.rest.IdResponse;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.PageMeta;
import io.cyberun.file.model.Model;
import io.cyberun.file.service.ModelService;
import io.cyberun.file.validation.Uploads.FileName;
import io.cyberun.file.validation.Uploads.ModelPath;
import io.cyberun.file.validation.Uploads.ModelType;
import io.cyberun.file.validation.Uploads.UploadSize.Upload;
import io.cyberun.file.validation.Uploads.UploadSize;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** {@code /api/v1/models}: model files a team distributes to its agents. Admins change them; members read them. */
@Path("/api/v1/models")
public class ModelResource {
    private final ModelService models;
    private final CurrentPrincipal principal;

    public ModelResource(ModelService models, CurrentPrincipal principal) {
        this.models = models;
        this.principal = principal;
    }

    /** A new model file: where it will go is checked now, so a bad place is refused before any bytes are sent. */
    public record PresignRequest(@FileName String fileName, @UploadSize(Upload.MODEL) Long fileSize, @ModelType String modelType,
                                 @ModelPath String modelPath) {
    }

    public record ModelView(UUID id, String displayName, String modelType, String modelPath, String storageKey, long fileSize,
                            String fileHash, String modelStatus, Instant createdAt, Instant updatedAt) {
        static ModelView of(Model m) {
            return new ModelView(m.id, m.displayName, m.modelType, m.modelPath, m.storageKey, m.fileSize, m.fileHash, m.modelStatus,
                    m.createdAt, m.updatedAt);
        }
    }

    public record ModelList(List<ModelView> modelList, PageMeta pageMeta) {
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/presign")
    public ModelService.Presigned presign(@Valid PresignRequest request) {
        if (request == null) {
            throw ApiException.invalid("send file_name, file_size, model_type and model_path", List.of());
        }
        return models.presign(principal.teamId(), request.fileName(), request.fileSize());
    }

    /** Registers an uploaded file (its size and sha256 are checked against the stored object). */
    @POST
    @RolesAllowed(Roles.ADMIN)
    public Uni<IdResponse> register(@Valid ModelService.Registration request) {
        if (request == null) {
            throw ApiException.invalid("send display_name, model_type, model_path, storage_key, file_size and file_hash", List.of());
        }
        return models.register(principal.teamId(), request).map(m -> new IdResponse(m.id));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<ModelList> list(@Valid @BeanParam Paging paging,
                               @QueryParam("model_status") @Pattern(regexp = "active|disabled", message = "must be active or disabled") String modelStatus) {
        PageRequest page = paging.request();
        return models.list(principal.teamId(), modelStatus, page.currentPage(), page.perPage())
                .map(p -> new ModelList(p.items().stream().map(ModelView::of).toList(), page.meta(p.total())));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}")
    public Uni<ModelView> get(@PathParam("id") UUID id) {
        return models.get(principal.teamId(), id).map(ModelView::of);
    }

    /** Edits metadata ({@code display_name}, {@code model_type}, {@code model_path}, {@code model_status}). */
    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(description = "The fields to change", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = ModelView.class)))
    public Uni<IdResponse> update(@PathParam("id") UUID id, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ApiException.invalid("send the fields to change as a JSON object", List.of());
        }
        return models.update(principal.teamId(), id, patch).map(m -> new IdResponse(m.id));
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return models.delete(principal.teamId(), id).replaceWith(Response.noContent().build());
    }
}
