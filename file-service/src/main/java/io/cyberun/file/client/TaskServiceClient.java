package io.cyberun.file.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.auth.PrincipalTokens;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** task-service's runtime workflow reads, called with the caller's own principal (so only its team's workflows). */
@RegisterRestClient(configKey = "task-service")
@Path("/api/v1/r/workflows")
public interface TaskServiceClient {
    @GET
    @Path("/{id}")
    Uni<JsonNode> workflow(@HeaderParam(PrincipalTokens.HEADER) String principal, @PathParam("id") String id);

    @GET
    @Path("/slug/{slug}")
    Uni<JsonNode> workflowBySlug(@HeaderParam(PrincipalTokens.HEADER) String principal, @PathParam("slug") String slug);
}
