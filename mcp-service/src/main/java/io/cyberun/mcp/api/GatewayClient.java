package io.cyberun.mcp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.api.TaskList;
import io.cyberun.contracts.api.TaskResultView;
import io.cyberun.contracts.api.TaskView;
import io.cyberun.contracts.api.WorkflowList;
import io.cyberun.contracts.api.WorkflowView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The parts of the public API the tools call, through the gateway, as the MCP caller (its own {@code Authorization}):
 * each operation declared once, with its path, parameters and body. A task, its result, a workflow and their pages are
 * read as the records the API answers with ({@code io.cyberun.contracts.api}); answers without a shared record stay
 * JSON trees.
 */
@RegisterRestClient(configKey = "gateway")
@RegisterProvider(ApiJson.class)
@Path("/api/v1/r")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface GatewayClient {
    String AUTHORIZATION = "Authorization";

    @GET
    @Path("/workflows")
    RestResponse<WorkflowList> workflows(@HeaderParam(AUTHORIZATION) String authorization, @RestQuery("current_page") Integer currentPage,
                                     @RestQuery("per_page") Integer perPage);

    @GET
    @Path("/workflows/{id}")
    RestResponse<WorkflowView> workflow(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id);

    @GET
    @Path("/workflows/slug/{slug}")
    RestResponse<WorkflowView> workflowBySlug(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("slug") String slug);

    @POST
    @Path("/workflows/{id}/run")
    RestResponse<JsonNode> run(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id, JsonNode body);

    @POST
    @Path("/workflows/slug/{slug}/run")
    RestResponse<JsonNode> runBySlug(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("slug") String slug, JsonNode body);

    @GET
    @Path("/tasks")
    RestResponse<TaskList> tasks(@HeaderParam(AUTHORIZATION) String authorization, @RestQuery("current_page") Integer currentPage,
                                 @RestQuery("per_page") Integer perPage, @RestQuery("status") String status);

    @GET
    @Path("/tasks/{id}")
    RestResponse<TaskView> task(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id);

    @GET
    @Path("/tasks/{id}/result")
    RestResponse<TaskResultView> taskResult(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id);

    @POST
    @Path("/tasks/{id}/cancel")
    RestResponse<JsonNode> cancel(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id);

    @GET
    @Path("/agents")
    RestResponse<JsonNode> agents(@HeaderParam(AUTHORIZATION) String authorization, @RestQuery("current_page") Integer currentPage,
                                  @RestQuery("per_page") Integer perPage);

    @GET
    @Path("/containers")
    RestResponse<JsonNode> containers(@HeaderParam(AUTHORIZATION) String authorization);

    @GET
    @Path("/containers/{slug}")
    RestResponse<JsonNode> container(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("slug") String slug);

    @POST
    @Path("/invoke/{slug}")
    RestResponse<JsonNode> invoke(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("slug") String slug, JsonNode request);

    @POST
    @Path("/files/presign")
    RestResponse<JsonNode> presign(@HeaderParam(AUTHORIZATION) String authorization, JsonNode request);
}
