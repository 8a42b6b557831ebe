package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.gateway.routing.RouteTable;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published OpenAPI document ({@code GET /api/v1/openapi.json}, merged by the gateway from the services'
 * documents) against the running API: it covers every route the gateway serves, lints clean with Redocly, real
 * responses validate against its schemas (Ajv), and a client generated from it (openapi-typescript + openapi-fetch,
 * type-checked by tsc) runs a task.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedStack.class)
class OpenApiIT {
    static CyberunStack stack;
    static JsonNode team;
    static JsonNode document;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        team = WalkingSkeletonIT.bootstrap(stack, "OpenAPI team", "alice@example.com", stack.workflowJson());
        stack.agent("openapi-agent", team.path("agent_key").asText(), "exec, demo, cpu");
        HttpResponse<String> r = TeamFixture.call("GET", "/api/v1/openapi.json", null, null, Map.of());
        assertThat(r.statusCode()).as("anonymous GET of the document: " + r.body()).isEqualTo(200);
        document = WalkingSkeletonIT.json(r.body());
        work = Files.createDirectories(stack.root.resolve("e2e/target/openapi"));
        Files.writeString(work.resolve("openapi.json"), r.body());
        NodeClients.install();
    }

    @Test
    void theDocumentDescribesEveryRouteTheGatewayServesAndNothingInternal() {
        assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
        List<String> paths = new ArrayList<>();
        document.path("paths").fieldNames().forEachRemaining(paths::add);
        for (RouteTable.Route route : RouteTable.ROUTES) {
            if (route.prefix().equals(RouteTable.ADMIN_PREFIX)) {
                continue;
            }
            assertThat(paths).as("a path under the gateway's route %s", route.prefix())
                    .anyMatch(p -> p.equals(route.prefix()) || p.startsWith(route.prefix() + "/"));
        }
        assertThat(paths).allMatch(p -> p.startsWith("/api/v1/")).noneMatch(p -> p.startsWith(RouteTable.ADMIN_PREFIX))
                .contains("/api/v1/r/workflows/slug/{slug}/run", "/api/v1/r/tasks/{id}/events", "/api/v1/r/files/presign",
                        "/api/v1/desktop/pair/start", "/api/v1/credentials", "/api/v1/mcp", "/api/v1/r/tasks/{id}/stream-token",
                        "/api/v1/r/tasks/{id}/preview");
        JsonNode run = document.path("paths").path("/api/v1/r/workflows/slug/{slug}/run").path("post");
        assertThat(run.path("responses").path("202").path("content").path("application/json").path("schema").path("$ref").asText())
                .isEqualTo("#/components/schemas/TaskIdResponse");
        assertThat(run.path("requestBody").path("content").path("application/json").path("schema").path("$ref").asText())
                .isEqualTo("#/components/schemas/RunBody");
        assertThat(document.path("components").path("schemas").path("TaskView").path("properties").has("workflow_slug"))
                .as("snake_case, as the API writes it").isTrue();
        assertThat(document.path("components").path("securitySchemes").fieldNames()).toIterable()
                .contains("userToken", "integrationKey", "deviceKey", "oidc");
        // Each operation names the credentials the gateway lets through: credential management takes a user's token only.
        assertThat(document.path("paths").path("/api/v1/credentials").path("post").path("security").toString())
                .isEqualTo("[{\"userToken\":[]},{\"oidc\":[]}]");
        assertThat(document.path("paths").path("/api/v1/workflows/import").path("post").path("security").toString())
                .doesNotContain("integrationKey").contains("deviceKey");
        assertThat(document.path("components").path("securitySchemes").path("oidc").path("type").asText()).isEqualTo("openIdConnect");
        assertThat(document.path("paths").path("/api/v1/desktop/pair/start").path("post").path("security").isEmpty())
                .as("the anonymous pairing start takes no credential").isTrue();
        document.path("paths").properties().forEach(p -> p.getValue().properties().forEach(op -> {
            assertThat(op.getValue().path("operationId").asText()).as("%s %s operationId", op.getKey(), p.getKey()).isNotBlank();
            assertThat(op.getValue().path("responses").path("4XX").path("content").path("application/json").path("schema").path("$ref").asText())
                    .as("%s %s answers the error body", op.getKey(), p.getKey()).isEqualTo("#/components/schemas/ErrorBody");
        }));
    }

    @Test
    void itLintsCleanWithRedocly() throws Exception {
        NodeClients.Run lint = NodeClients.node(List.of("node_modules/@redocly/cli/bin/cli.js", "lint", work.resolve("openapi.json").toString(),
                "--config", "redocly.yaml", "--format", "summary"), Map.of(), 180);
        assertThat(lint.exit()).as(lint.describe()).isZero();
        assertThat(lint.stdout() + lint.stderr()).as(lint.describe()).contains("Your API description is valid").doesNotContain("warning");
    }

    @Test
    void realResponsesValidateAgainstItsSchemas() throws Exception {
        String sk = team.path("integration_key").asText();
        ArrayNode samples = CyberunJson.mapper().createArrayNode();
        record("GET", "/api/v1/r/workflows", "/api/v1/r/workflows", sk, null, samples);
        record("GET", "/api/v1/r/workflows/slug/demo-render", "/api/v1/r/workflows/slug/{slug}", sk, null, samples);
        JsonNode accepted = record("POST", "/api/v1/r/workflows/slug/demo-render/run", "/api/v1/r/workflows/slug/{slug}/run", sk,
                "{\"parameters\":{\"prompt\":\"described\",\"steps\":2}}", samples);
        String task = accepted.path("task_id").asText();
        record("GET", "/api/v1/r/tasks/" + task, "/api/v1/r/tasks/{id}", sk, null, samples);
        await().atMost(Duration.ofMinutes(1)).until(() -> WalkingSkeletonIT.json(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + task, sk, null,
                Map.of()).body()).path("status").asText().equals("completed"));
        record("GET", "/api/v1/r/tasks/" + task, "/api/v1/r/tasks/{id}", sk, null, samples);
        record("GET", "/api/v1/r/tasks/" + task + "/result", "/api/v1/r/tasks/{id}/result", sk, null, samples);
        record("GET", "/api/v1/r/tasks?per_page=5", "/api/v1/r/tasks", sk, null, samples);
        record("GET", "/api/v1/r/agents", "/api/v1/r/agents", sk, null, samples);
        record("GET", "/api/v1/me", "/api/v1/me", sk, null, samples);
        record("POST", "/api/v1/r/files/presign", "/api/v1/r/files/presign", sk,
                "{\"file_name\":\"a.png\",\"file_size\":10,\"content_type\":\"image/png\"}", samples);
        record("POST", "/api/v1/r/tasks/" + task + "/rerun", "/api/v1/r/tasks/{id}/rerun", sk, null, samples);
        record("POST", "/api/v1/desktop/pair/start", "/api/v1/desktop/pair/start", null, null, samples);
        // Errors: the error body.
        record("GET", "/api/v1/r/tasks/00000000-0000-0000-0000-000000000000", "/api/v1/r/tasks/{id}", sk, null, samples);
        record("POST", "/api/v1/r/workflows/slug/demo-render/run", "/api/v1/r/workflows/slug/{slug}/run", sk, "{\"parameters\":{}}", samples);
        Path file = work.resolve("samples.json");
        Files.writeString(file, samples.toString());
        NodeClients.Run check = NodeClients.node(List.of("openapi-check.mjs", work.resolve("openapi.json").toString(), file.toString()), Map.of(), 120);
        assertThat(check.exit()).as(check.describe()).isZero();
        JsonNode summary = check.summary();
        assertThat(summary.path("failures")).as(check.describe()).isEmpty();
        assertThat(summary.path("checked").asInt()).isEqualTo(samples.size());
    }

    @Test
    void aClientGeneratedFromItRunsATask() throws Exception {
        Path generated = Files.createDirectories(NodeClients.DIR.resolve("generated"));
        NodeClients.Run types = NodeClients.node(List.of("node_modules/openapi-typescript/bin/cli.js", work.resolve("openapi.json").toString(),
                "-o", generated.resolve("cyberun-api.ts").toString()), Map.of(), 180);
        assertThat(types.exit()).as(types.describe()).isZero();
        NodeClients.Run tsc = NodeClients.node(List.of("node_modules/typescript/bin/tsc", "--noEmit", "--strict", "--target", "es2022", "--module",
                "nodenext", "--moduleResolution", "nodenext", "--allowImportingTsExtensions", "--skipLibCheck", "generated-client.ts"), Map.of(), 180);
        assertThat(tsc.exit()).as("the client type-checks against the generated types: " + tsc.describe()).isZero();
        NodeClients.Run client = NodeClients.node(List.of("--experimental-strip-types", "--no-warnings", "generated-client.ts", stack.gateway.url(),
                team.path("integration_key").asText()), Map.of(), 180);
        assertThat(client.exit()).as(client.describe()).isZero();
        JsonNode summary = client.summary();
        assertThat(summary.path("status").asText()).isEqualTo("completed");
        assertThat(summary.path("outputs")).extracting(JsonNode::asText).contains("card.svg", "prompt.txt");
    }

    /** Calls the API and keeps the answer as a sample for the schema check. */
    static JsonNode record(String method, String uri, String template, String key, String body, ArrayNode samples) throws Exception {
        HttpResponse<String> r = TeamFixture.call(method, uri, key, body, Map.of());
        JsonNode answer = r.body().isBlank() ? null : WalkingSkeletonIT.json(r.body());
        samples.addObject().put("method", method).put("path", template).put("status", r.statusCode()).set("body", answer);
        return answer;
    }
}
