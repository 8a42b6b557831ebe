package io.cyberun.mcp.api;

import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.client.SseEvent;

/**
 * A task's event stream on the gateway, read with the REST client's SSE support, as the caller (its own
 * {@code Authorization}). {@code Last-Event-ID} resumes after an event already seen.
 */
@RegisterRestClient(configKey = "gateway")
@Path("/api/v1/r/tasks")
public interface TaskEventsClient {

    @GET
    @Path("/{taskId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<SseEvent<String>> events(@HeaderParam("Authorization") String authorization, @PathParam("taskId") String taskId,
                                   @HeaderParam("Last-Event-ID") String lastEventId);
}
