package io.cyberun.agenthub.client;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.files.DownloadLinks;
import io.cyberun.contracts.files.DownloadLinksRequest;
import io.cyberun.contracts.files.OutputUploadRequest;
import io.cyberun.contracts.files.UploadTargets;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** file-service, called on an agent's behalf with a principal the hub signs for that agent. */
@RegisterRestClient(configKey = "file-service")
@Path("/internal/v1")
public interface FileServiceClient {

    @POST
    @Path("/tasks/{taskId}/outputs/uploads")
    Uni<UploadTargets> outputUploads(@HeaderParam(PrincipalTokens.HEADER) String agentToken, @PathParam("taskId") UUID taskId,
                                     OutputUploadRequest request);

    /** The team's active models with download URLs (the agent's team: the principal names it). */
    @jakarta.ws.rs.GET
    @Path("/models/manifest")
    Uni<io.cyberun.contracts.files.ModelManifest> modelManifest(@HeaderParam(PrincipalTokens.HEADER) String agentToken);

    @POST
    @Path("/downloads")
    Uni<DownloadLinks> downloads(@HeaderParam(PrincipalTokens.HEADER) String agentToken, DownloadLinksRequest request);
}
