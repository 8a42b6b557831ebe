package io.cyberun.scheduler.client;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.container.DesiredService;
import io.cyberun.contracts.container.ServiceObservation;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** task-service's record of container services: what to run, and where the scheduler reports what it observed. */
@RegisterRestClient(configKey = "task-service")
@Path("/internal/v1/containers")
public interface ContainerServiceClient {

    @GET
    @Path("/desired")
    DesiredService.Page desired(@HeaderParam(PrincipalTokens.HEADER) String serviceToken);

    @PUT
    @Path("/{id}/observation")
    void observed(@HeaderParam(PrincipalTokens.HEADER) String serviceToken, @PathParam("id") UUID id,
                  @QueryParam("generation") int generation, @QueryParam("run") boolean run, ServiceObservation observation);
}
