package io.cyberun.task.rest;

import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.files.InputUpload;
import io.cyberun.task.service.InputUploads;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/** A presigned upload for a run's input file, checked against the file parameter it names. */
@Path("/api/v1/r/files")
public class InputUploadResource {
    private final InputUploads uploads;
    private final CurrentPrincipal principal;

    public InputUploadResource(InputUploads uploads, CurrentPrincipal principal) {
        this.uploads = uploads;
        this.principal = principal;
    }

    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/presign")
    public Uni<InputUpload.Presigned> presign(InputUploads.Request request) {
        return uploads.presign(principal.teamId(), request);
    }
}
