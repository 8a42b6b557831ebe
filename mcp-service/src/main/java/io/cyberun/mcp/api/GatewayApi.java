package io.cyberun.mcp.api;

import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.json.CyberunJson;
import io.quarkiverse.mcp.server.ToolCallException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
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

    public GatewayApi(@RestClient GatewayClient client, CurrentVertxRequest request) {
        this.client = client;
        this.request = request;
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
     * status and error body go to the MCP client); only an unreachable gateway fails the tool.
     */
    public <T> ApiReply<T> call(Function<GatewayClient, RestResponse<T>> operation) {
        try {
            RestResponse<T> response = operation.apply(client);
            if (response.getStatus() >= 300) {
                return ApiReply.failure(response.getStatus(), null);
            }
            return ApiReply.success(response.getStatus(), response.hasEntity() ? response.getEntity() : null);
        } catch (WebApplicationException e) {
            return refusal(e);
        } catch (ProcessingException e) {
            LOG.warnf("calling the gateway failed: %s", e.toString());
            throw new ToolCallException("the Cyberun API is not reachable right now (" + e.getClass().getSimpleName()
                    + "); try again shortly");
        }
    }

    /** An answer the REST client raised as an exception (4xx, 5xx): its status and error body. */
    public <T> ApiReply<T> refusal(WebApplicationException e) {
        Response response = e.getResponse();
        String body;
        try {
            body = response.readEntity(String.class);
        } catch (RuntimeException unreadable) {
            body = null;
        }
        return ApiReply.failure(response.getStatus(), error(body));
    }

    /** The API's error body; an answer that is not one keeps its text as the message. */
    private ErrorBody error(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            ErrorBody error = CyberunJson.mapper().readValue(body, ErrorBody.class);
            if (error.errorMessage() != null || error.errorCode() != null) {
                return error;
            }
        } catch (IOException | RuntimeException notJson) {
            // kept as text below
        }
        return new ErrorBody(body.strip(), null, List.of());
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
}
