package io.cyberun.scheduler.client;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.task.OpenTasks;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** task-service, asked only when the scheduler's book in Redis was lost, with a service principal the scheduler signs. */
@RegisterRestClient(configKey = "task-service")
@Path("/internal/v1/tasks")
public interface TaskServiceClient {

    @GET
    @Path("/open")
    Uni<OpenTasks> open(@HeaderParam(PrincipalTokens.HEADER) String serviceToken, @QueryParam("after") UUID after, @QueryParam("limit") int limit);
}
