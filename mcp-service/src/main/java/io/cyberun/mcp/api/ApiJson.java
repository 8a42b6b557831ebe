package io.cyberun.mcp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import jakarta.ws.rs.ext.ContextResolver;

/**
 * The API's JSON conventions (snake_case, ISO dates) for reading and writing its records. This service's own
 * ObjectMapper keeps Jackson's default naming, which the MCP extension's protocol messages need; the gateway client
 * is given this one ({@code @RegisterProvider}), and a record a tool answers with becomes JSON the way the API writes it.
 */
public final class ApiJson implements ContextResolver<ObjectMapper> {
    @Override
    public ObjectMapper getContext(Class<?> type) {
        return CyberunJson.mapper();
    }

    /** One of the API's records as the API's JSON. */
    public static JsonNode tree(Object value) {
        return CyberunJson.mapper().valueToTree(value);
    }

    /** The API's JSON read as one of its records. */
    public static <T> T read(JsonNode tree, Class<T> type) {
        return CyberunJson.mapper().convertValue(tree, type);
    }
}
