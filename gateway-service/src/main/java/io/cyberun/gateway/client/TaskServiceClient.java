package io.cyberun.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.IdResponse;
import io.cyberun.common.security.PrincipalTokens;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** task-service, for the gateway's own operations (the bootstrap's workflows, a deleted team's open tasks). */
@RegisterRestClient(configKey = "task-service")
public interface TaskServiceClient {

    @POST
    @Path("/api/v1/workflows/import")
    Uni<IdResponse> importWorkflow(@HeaderParam(PrincipalTokens.HEADER) String principalToken, JsonNode definition);

    record Cancelled(int cancelled) {
    }

    @POST
    @Path("/internal/v1/teams/{teamId}/cancel-open-tasks")
    Uni<Cancelled> cancelOpenTasks(@HeaderParam(PrincipalTokens.HEADER) String serviceToken, @PathParam("teamId") UUID teamId);
}
