package io.cyberun.file.rest;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.auth.Role;
import io.cyberun.file.model.MultipartUpload;
import io.cyberun.file.service.MultipartService;
import io.cyberun.file.storage.StorageKeys;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * {@code /api/v1/uploads/multipart}: files too large for one PUT. Initiate, PUT each part to its presigned URL
 * (keep each answer's ETag), complete with the list of parts, or abort.
 */
@Path("/api/v1/uploads/multipart")
public class MultipartResource {
    private final MultipartService multipart;
    private final CurrentPrincipal principal;

    public MultipartResource(MultipartService multipart, CurrentPrincipal principal) {
        this.multipart = multipart;
        this.principal = principal;
    }

    public record PartsRequest(List<Integer> partNumbers) {
    }

    public record CompleteRequest(List<MultipartService.CompletedPartRef> parts) {
    }

    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/initiate")
    public Uni<MultipartService.Initiated> initiate(MultipartService.Initiate request) {
        if (request == null) {
            throw ApiException.invalid("send storage_key and file_size, or file_name, file_size, content_type and kind (input or model)", List.of());
        }
        boolean model = MultipartUpload.MODEL.equals(request.kind())
                || request.storageKey() != null && StorageKeys.kindOf(principal.teamId(), request.storageKey()).orElse(null) == StorageKeys.Kind.MODEL;
        if (model) {
            // Which role an upload needs depends on what it uploads: models are the team's, admins manage them.
            principal.requireRole(Role.ADMIN);
        }
        return multipart.initiate(principal.teamId(), request);
    }

    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/{uploadId}/parts")
    public Uni<MultipartService.PartUrls> parts(@PathParam("uploadId") String uploadId, PartsRequest request) {
        return multipart.partUrls(principal.teamId(), uploadId, request == null ? null : request.partNumbers());
    }

    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/{uploadId}/complete")
    public Uni<MultipartService.Completed> complete(@PathParam("uploadId") String uploadId, CompleteRequest request) {
        return multipart.complete(principal.teamId(), uploadId, request == null ? null : request.parts());
    }

    @DELETE
    @RolesAllowed(Roles.MEMBER)
    @Path("/{uploadId}")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "204", description = "Aborted")
    public Uni<Response> abort(@PathParam("uploadId") String uploadId) {
        return multipart.abort(principal.teamId(), uploadId).replaceWith(Response.noContent().build());
    }
}
