package io.cyberun.mcp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.mcp.config.McpConfig;
import io.quarkiverse.mcp.server.ToolCallException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.jboss.logging.Logger;

/**
 * The public REST API, called through the gateway with the MCP caller's own key, so every rule of the gateway
 * (team scope, roles, rate limits, validation) applies to a tool exactly as to a direct call.
 */
@ApplicationScoped
public class GatewayApi {
    private static final Logger LOG = Logger.getLogger(GatewayApi.class);
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final CurrentVertxRequest request;
    private final ObjectMapper json;

    public GatewayApi(McpConfig config, CurrentVertxRequest request, ObjectMapper json) {
        this.base = config.gatewayUrl().replaceAll("/$", "") + "/api/v1";
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

    public ApiReply get(String authorization, String path, Map<String, ?> query) {
        return send(authorization, "GET", path + queryString(query), null);
    }

    public ApiReply post(String authorization, String path, Object body) {
        return send(authorization, "POST", path, body);
    }

    private ApiReply send(String authorization, String method, String path, Object body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("Authorization", authorization).header("Accept", "application/json");
        try {
            if (body == null) {
                builder.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                builder.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            }
            HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            return ApiReply.of(response.statusCode(), response.body(), json);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolCallException("the call was interrupted");
        } catch (IOException e) {
            LOG.warnf("calling %s %s on the gateway failed: %s", method, path, e.toString());
            throw new ToolCallException("the Cyberun API is not reachable right now (" + e.getClass().getSimpleName()
                    + "); try again shortly");
        }
    }

    /**
     * One path segment from a tool argument, percent-encoded so that it cannot leave its place in the path
     * ({@code /}, {@code ?}, {@code #}, and the dot segments are refused).
     */
    public static String segment(String argument, String value) {
        if (value == null || value.isBlank()) {
            throw new ToolCallException(argument + " is required");
        }
        String v = value.strip();
        if (v.equals(".") || v.equals("..")) {
            throw new ToolCallException(argument + " is not a valid value: " + v);
        }
        return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String queryString(Map<String, ?> query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringJoiner joined = new StringJoiner("&", "?", "");
        joined.setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null && !v.toString().isBlank()) {
                joined.add(k + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        return joined.toString();
    }

    /** A query map that keeps its order and skips null values. */
    public static Map<String, Object> query(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                map.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return map;
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
