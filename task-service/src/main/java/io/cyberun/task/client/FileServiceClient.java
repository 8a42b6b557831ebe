package io.cyberun.task.client;

import io.cyberun.common.security.PropagatePrincipal;
import io.cyberun.contracts.files.DownloadLinks;
import io.cyberun.contracts.files.DownloadLinksRequest;
import io.cyberun.contracts.files.InputDescriptions;
import io.cyberun.contracts.files.InputUpload;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** file-service, called with the current caller's principal (so it checks the same team). */
@RegisterRestClient(configKey = "file-service")
@RegisterClientHeaders(PropagatePrincipal.class)
@Path("/internal/v1")
public interface FileServiceClient {

    /** What is known of inputs the caller's team was issued. */
    @POST
    @Path("/inputs/describe")
    Uni<InputDescriptions.Result> describeInputs(InputDescriptions.Request request);

    /** A presigned PUT for one input file of the caller's team (file-service checks its name, size and type). */
    @POST
    @Path("/inputs/presign")
    Uni<InputUpload.Presigned> presignInput(InputUpload.Request request);

    /** Fresh GET URLs for objects of the caller's team. */
    @POST
    @Path("/downloads")
    Uni<DownloadLinks> downloadLinks(DownloadLinksRequest request);
}
