package io.cyberun.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.IdResponse;
import io.cyberun.contracts.auth.PrincipalTokens;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** task-service, for the gateway's own operations (the bootstrap's demo workflow). */
@RegisterRestClient(configKey = "task-service")
@Path("/api/v1")
public interface TaskServiceClient {

    @POST
    @Path("/workflows/import")
    Uni<IdResponse> importWorkflow(@HeaderParam(PrincipalTokens.HEADER) String principalToken, JsonNode definition);
}
