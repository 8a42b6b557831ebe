package io.cyberun.mcp.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The parts of the public API the tools call, through the gateway, as the MCP caller (its own {@code Authorization}):
 * each operation declared once, with its path, parameters and body. Answers stay JSON trees: a tool hands the API's
 * body to the client as it is (structured content), errors included.
 */
@RegisterRestClient(configKey = "gateway")
@Path("/api/v1/r")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface GatewayClient {
    String AUTHORIZATION = "Authorization";

    @GET
    @Path("/workflows")
    RestResponse<JsonNode> workflows(@HeaderParam(AUTHORIZATION) String authorization, @RestQuery("current_page") Integer currentPage,
                                     @RestQuery("per_page") Integer perPage);

    @GET
    @Path("/workflows/{id}")
    RestResponse<JsonNode> workflow(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id);

    @GET
    @Path("/workflows/slug/{slug}")
    RestResponse<JsonNode> workflowBySlug(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("slug") String slug);

    @POST
    @Path("/workflows/{id}/run")
    RestResponse<JsonNode> run(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id, JsonNode body);

    @POST
    @Path("/workflows/slug/{slug}/run")
    RestResponse<JsonNode> runBySlug(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("slug") String slug, JsonNode body);

    @GET
    @Path("/tasks")
    RestResponse<JsonNode> tasks(@HeaderParam(AUTHORIZATION) String authorization, @RestQuery("current_page") Integer currentPage,
                                 @RestQuery("per_page") Integer perPage, @RestQuery("status") String status);

    @GET
    @Path("/tasks/{id}")
    RestResponse<JsonNode> task(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id);

    @GET
    @Path("/tasks/{id}/result")
    RestResponse<JsonNode> taskResult(@HeaderParam(AUTHORIZATION) String authorization, @PathParam("id") String id);

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
