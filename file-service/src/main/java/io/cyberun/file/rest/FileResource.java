package io.cyberun.file.rest;

import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.file.service.InputService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/** {@code POST /api/v1/r/files/presign}: an upload URL for an input of a file parameter. */
@Path("/api/v1/r/files")
public class FileResource {
    private final InputService inputs;
    private final CurrentPrincipal principal;

    public FileResource(InputService inputs, CurrentPrincipal principal) {
        this.inputs = inputs;
        this.principal = principal;
    }

    public record PresignRequest(String fileName, Long fileSize, String contentType) {
    }

    @POST
    @Path("/presign")
    public Uni<InputService.Presigned> presign(PresignRequest request) {
        principal.requireRole(Role.MEMBER);
        if (request == null) {
            throw io.cyberun.common.rest.ApiException.invalid("send file_name, file_size and content_type", java.util.List.of());
        }
        return inputs.presign(principal.teamId(), request.fileName(), request.fileSize(), request.contentType());
    }
}
