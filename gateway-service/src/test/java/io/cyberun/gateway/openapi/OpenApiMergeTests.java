package io.cyberun.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The merge of the services' documents, without services. */
class OpenApiMergeTests {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    JsonNode merged() throws Exception {
        Map<String, JsonNode> docs = new LinkedHashMap<>();
        docs.put("task-service", json("""
                {"openapi": "3.1.0", "paths": {
                   "/api/v1/r/tasks/{id}": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskView"}}}}}}},
                   "/internal/v1/tasks/open": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenTasks"}}}}}}}},
                 "components": {"schemas": {
                   "TaskView": {"type": "object", "properties": {"id": {"type": "string"}, "spec": {"$ref": "#/components/schemas/JsonNode"},
                                "page": {"$ref": "#/components/schemas/PageMeta"}}},
                   "PageMeta": {"type": "object", "properties": {"total_count": {"type": "integer"}}},
                   "OpenTasks": {"type": "object"}, "JsonNode": {"type": "object"}}}}"""));
        docs.put("gateway-service", json("""
                {"openapi": "3.1.0", "paths": {
                   "/api/v1/desktop/pair/start": {"post": {"responses": {"200": {"description": "OK"}}}},
                   "/api/v1/admin/bootstrap": {"post": {"responses": {"200": {"description": "OK"}}}},
                   "/q/health": {"get": {}}}}"""));
        return new OpenApiMerge(JSON).merge(docs, "https://cyberun.example.com", "https://id.example.com/realms/cyberun", "1.2.3");
    }

    @Test
    void onlyThePublicPathsAndTheSchemasTheyReachArePublished() throws Exception {
        JsonNode doc = merged();
        List<String> paths = new ArrayList<>();
        doc.path("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).contains("/api/v1/r/tasks/{id}", "/api/v1/desktop/pair/start", "/api/v1/mcp", "/api/v1/openapi.json")
                .doesNotContain("/internal/v1/tasks/open", "/api/v1/admin/bootstrap", "/q/health");
        List<String> schemas = new ArrayList<>();
        doc.path("components").path("schemas").fieldNames().forEachRemaining(schemas::add);
        assertThat(schemas).contains("TaskView", "PageMeta", "ErrorBody", "AnyValue").doesNotContain("OpenTasks", "JsonNode");
        assertThat(doc.path("components").path("schemas").path("TaskView").path("properties").path("spec").toString())
                .contains("#/components/schemas/AnyValue");
        assertThat(doc.path("servers").get(0).path("url").asText()).isEqualTo("https://cyberun.example.com");
        assertThat(doc.path("components").path("securitySchemes").path("oidc").path("openIdConnectUrl").asText())
                .isEqualTo("https://id.example.com/realms/cyberun/.well-known/openid-configuration");
    }

    @Test
    void everyOperationHasAnIdAndTheErrorBodyAndTheAnonymousOnesNeedNoCredential() throws Exception {
        JsonNode doc = merged();
        JsonNode get = doc.path("paths").path("/api/v1/r/tasks/{id}").path("get");
        assertThat(get.path("operationId").asText()).isEqualTo("getRTasksId");
        assertThat(get.path("responses").path("4XX").path("content").path("application/json").path("schema").path("$ref").asText())
                .isEqualTo("#/components/schemas/ErrorBody");
        assertThat(get.path("security").toString()).as("the runtime API: a user token, an sk- or a dk- key")
                .isEqualTo("[{\"userToken\":[]},{\"oidc\":[]},{\"integrationKey\":[]},{\"deviceKey\":[]}]");
        assertThat(get.path("parameters").toString()).contains("X-Team-ID");
        JsonNode start = doc.path("paths").path("/api/v1/desktop/pair/start").path("post");
        assertThat(start.path("security").isArray() && start.path("security").isEmpty()).isTrue();
        assertThat(doc.path("paths").path("/api/v1/mcp").path("post").path("security").toString()).isEqualTo("[{\"integrationKey\":[]}]");
        assertThat(OpenApiMerge.operationId("post", "/api/v1/r/workflows/slug/{slug}/run")).isEqualTo("postRWorkflowsSlugSlugRun");
    }

    @Test
    void everyPropertyMayBeNullAsTheApiWritesAbsentValues() throws Exception {
        JsonNode props = merged().path("components").path("schemas").path("TaskView").path("properties");
        assertThat(props.path("id").path("type").toString()).isEqualTo("[\"string\",\"null\"]");
        assertThat(props.path("page").path("anyOf").toString()).contains("#/components/schemas/PageMeta").contains("\"null\"");
    }
}
