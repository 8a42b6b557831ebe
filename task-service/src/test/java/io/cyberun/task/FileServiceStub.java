package io.cyberun.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.testing.StubServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Stands in for file-service (our own service, not infrastructure). Input keys are described by their file name:
 * {@code .../ok.png} was uploaded (image/png), {@code .../doc.pdf} was uploaded (application/pdf),
 * {@code .../notyet.png} was presigned but never uploaded; any other key was never issued. Download links echo
 * the key. A presign answers a URL, or file-service's 400 for a name with {@code ..}.
 */
public class FileServiceStub implements QuarkusTestResourceLifecycleManager {
    private StubServer server;

    @Override
    public Map<String, String> start() {
        server = StubServer.start(exchange -> {
            JsonNode body = CyberunJson.mapper().readTree(exchange.getRequestBody());
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/internal/v1/inputs/describe")) {
                ArrayNode inputs = CyberunJson.mapper().createArrayNode();
                for (JsonNode key : body.path("storage_keys")) {
                    String k = key.asText();
                    String type = k.endsWith("/ok.png") || k.endsWith("/notyet.png") ? "image/png" : k.endsWith("/doc.pdf") ? "application/pdf" : null;
                    if (type != null) {
                        inputs.addObject().put("storage_key", k).put("file_name", k.substring(k.lastIndexOf('/') + 1)).put("content_type", type)
                                .put("file_size", 10).put("uploaded", !k.endsWith("/notyet.png")).put("expires_at", "2099-01-01T00:00:00Z");
                    }
                }
                ObjectNode result = CyberunJson.mapper().createObjectNode();
                result.set("inputs", inputs);
                return new StubServer.Reply(200, result.toString());
            }
            if (path.equals("/internal/v1/inputs/presign")) {
                String name = body.path("file_name").asText("");
                if (name.contains("..")) {
                    return new StubServer.Reply(400, "{\"error_message\":\"invalid upload\",\"error_code\":\"invalid_request\","
                            + "\"details\":[{\"field\":\"file_name\",\"message\":\"must be a plain file name\"}]}");
                }
                return new StubServer.Reply(200, CyberunJson.mapper().createObjectNode().put("file_key", "teams/t/inputs/k/" + name)
                        .put("upload_url", "http://store.test/put").put("expires_at", "2099-01-01T00:00:00Z").toString());
            }
            if (path.equals("/internal/v1/downloads")) {
                ArrayNode links = CyberunJson.mapper().createArrayNode();
                for (JsonNode key : body.path("storage_keys")) {
                    links.addObject().put("storage_key", key.asText()).put("url", "http://store.test/" + key.asText() + "?signed");
                }
                ObjectNode result = CyberunJson.mapper().createObjectNode().put("expires_at", "2099-01-01T00:00:00Z");
                result.set("links", links);
                return new StubServer.Reply(200, result.toString());
            }
            return new StubServer.Reply(404, "{}");
        });
        return Map.of("quarkus.rest-client.file-service.url", server.url());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
