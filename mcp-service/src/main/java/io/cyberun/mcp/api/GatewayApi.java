package io.cyberun.mcp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkiverse.mcp.server.ToolCallException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The public REST API, called through the gateway with the MCP caller's own key ({@link GatewayClient}), so every
 * rule of the gateway (team scope, roles, rate limits, validation) applies to a tool exactly as to a direct call.
 */
@ApplicationScoped
public class GatewayApi {
    private static final Logger LOG = Logger.getLogger(GatewayApi.class);

    private final GatewayClient client;
    private final CurrentVertxRequest request;
    private final ObjectMapper json;

    public GatewayApi(@RestClient GatewayClient client, CurrentVertxRequest request, ObjectMapper json) {
        this.client = client;
        this.request = request;
        this.json = json;
    }

    /**
     * The {@code Authorization} header of the MCP request being handled (the gateway checked it is an sk- key and
     * forwards it only to mcp-service). Read it on the thread that handles the request.
     */
    public String callerAuthorization() {
        RoutingContext ctx = request.getCurrent();
        String header = ctx == null ? null : ctx.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            throw new ToolCallException("this MCP request carries no Authorization header; configure your client with "
                    + "Authorization: Bearer <your sk- integration key>");
        }
        return header;
    }

    /**
     * One call of the typed client, as a reply whatever its status: an error answer of the API is a reply too (its
     * status and body go to the MCP client); only an unreachable gateway fails the tool.
     */
    public ApiReply call(Function<GatewayClient, RestResponse<JsonNode>> operation) {
        try {
            RestResponse<JsonNode> response = operation.apply(client);
            return new ApiReply(response.getStatus(), response.hasEntity() ? response.getEntity() : json.nullNode());
        } catch (WebApplicationException e) {
            Response response = e.getResponse();
            String body;
            try {
                body = response.readEntity(String.class);
            } catch (RuntimeException unreadable) {
                body = null;
            }
            return new ApiReply(response.getStatus(), parse(body == null ? null : body.getBytes(StandardCharsets.UTF_8), json));
        } catch (ProcessingException e) {
            LOG.warnf("calling the gateway failed: %s", e.toString());
            throw new ToolCallException("the Cyberun API is not reachable right now (" + e.getClass().getSimpleName()
                    + "); try again shortly");
        }
    }

    /**
     * One path segment from a tool argument: required and not a dot segment. The REST client percent-encodes the
     * value ({@code /}, {@code ?} and {@code #} included), so it cannot leave its place in the path.
     */
    public static String segment(String argument, String value) {
        if (value == null || value.isBlank()) {
            throw new ToolCallException(argument + " is required");
        }
        String v = value.strip();
        if (v.equals(".") || v.equals("..")) {
            throw new ToolCallException(argument + " is not a valid value: " + v);
        }
        return v;
    }

    /** The parsed body of an answer; a body that is not JSON is kept as text. */
    public static JsonNode parse(byte[] body, ObjectMapper json) {
        if (body == null || body.length == 0) {
            return json.nullNode();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
    }
}
