package io.cyberun.gateway.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.gateway.routing.Access;
import io.cyberun.gateway.routing.RouteTable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the OpenAPI documents of the services that own the public endpoints into the one document the gateway
 * publishes: only the public paths (under {@code /api/v1/}, not the admin bootstrap), the schemas they reach, the
 * error body on every operation, the security schemes, and what the gateway answers itself (the SSE stream, MCP,
 * this document). A pure function of its inputs, so it is tested without services.
 * <p>
 * Every property may be null: the API writes absent values as {@code null} (a task's {@code agent_id} before it is
 * placed), so the schemas say so.
 */
public final class OpenApiMerge {
    static final String ERROR = "ErrorBody";
    static final String USER_TOKEN = "userToken";
    static final String INTEGRATION_KEY = "integrationKey";
    static final String DEVICE_KEY = "deviceKey";
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options");

    private final ObjectMapper json;
    private boolean oidc;

    public OpenApiMerge(ObjectMapper json) {
        this.json = json;
    }

    /** One document from the services' documents (by service name), for a deployment at {@code publicUrl}. */
    public ObjectNode merge(Map<String, JsonNode> documents, String publicUrl, String oidcIssuer, String version) {
        ObjectNode merged = json.createObjectNode();
        merged.put("openapi", "3.1.0");
        ObjectNode info = merged.putObject("info");
        info.put("title", "Cyberun API").put("version", version).put("description", """
                Runs AI workflows on a team's GPU agents. Runtime endpoints are under /api/v1/r/ and take an sk- integration \
                key, a dk- device key or a user's access token; management endpoints take a user's token (with X-Team-ID) or \
                a dk- key. Errors are {"error_message", "error_code", "details"}. Task events stream as server-sent events.""");
        merged.putArray("servers").addObject().put("url", publicUrl);
        ObjectNode paths = merged.putObject("paths");
        ObjectNode schemas = json.createObjectNode();
        for (Map.Entry<String, JsonNode> doc : documents.entrySet()) {
            doc.getValue().path("components").path("schemas").properties().forEach(s -> {
                if (!schemas.has(s.getKey())) {
                    schemas.set(s.getKey(), s.getValue().deepCopy());
                }
            });
            doc.getValue().path("paths").properties().forEach(p -> {
                if (isPublic(p.getKey())) {
                    ObjectNode item = paths.has(p.getKey()) ? (ObjectNode) paths.get(p.getKey()) : paths.putObject(p.getKey());
                    p.getValue().properties().forEach(op -> item.set(op.getKey(), op.getValue().deepCopy()));
                }
            });
        }
        schemas.set("AnyValue", json.createObjectNode().put("description", "any JSON value"));
        schemas.set(ERROR, errorSchema());
        gatewayOwned(paths);
        ObjectNode components = merged.putObject("components");
        ObjectNode security = components.putObject("securitySchemes");
        security.putObject(USER_TOKEN).put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT").put("description",
                "A user's access token from the deployment's OIDC provider; team-scoped endpoints also take X-Team-ID");
        security.putObject(INTEGRATION_KEY).put("type", "http").put("scheme", "bearer").put("description",
                "An sk- integration key: team-wide, for scripts, CI and MCP clients (runtime endpoints and MCP only)");
        security.putObject(DEVICE_KEY).put("type", "http").put("scheme", "bearer").put("description",
                "A dk- device key from device pairing (cyberun login): acts as its user, in its team");
        this.oidc = oidcIssuer != null;
        if (oidc) {
            security.putObject("oidc").put("type", "openIdConnect").put("openIdConnectUrl", oidcIssuer + "/.well-known/openid-configuration");
        }
        paths.properties().forEach(p -> METHODS.stream().filter(p.getValue()::has)
                .forEach(m -> finish(p.getKey(), m, (ObjectNode) p.getValue().get(m))));
        components.set("schemas", OpenApiSchemas.reachable(merged, schemas, Set.of(ERROR, "AnyValue")));
        components.path("schemas").forEach(OpenApiSchemas::allowNulls);
        OpenApiSchemas.replaceRefs(merged, "#/components/schemas/JsonNode", "#/components/schemas/AnyValue");
        return merged;
    }

    static boolean isPublic(String path) {
        return path.startsWith("/api/v1/") && !path.startsWith(RouteTable.ADMIN_PREFIX);
    }

    /** An operation id from the method and the path, unique in the document: {@code POST /api/v1/r/tasks/{id}/cancel} is {@code postRTasksIdCancel}. */
    static String operationId(String method, String path) {
        StringBuilder id = new StringBuilder(method);
        for (String part : path.substring("/api/v1/".length()).split("[/{}.\\-]+")) {
            if (!part.isEmpty()) {
                id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return id.toString();
    }

    /**
     * Every operation gets an id, answers the error body on failure (4XX and anything else), and names the credentials
     * the gateway's route table accepts for its path (none for the anonymous ones; X-Team-ID where a user token needs it).
     */
    private void finish(String path, String method, ObjectNode op) {
        op.put("operationId", operationId(method, path));
        ObjectNode responses = op.has("responses") ? (ObjectNode) op.get("responses") : op.putObject("responses");
        for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
                ((ObjectNode) r.getValue()).set("content", errorContent());
            }
        }
        if (!responses.has("4XX")) {
            responses.putObject("4XX").put("description", "Refused: 400 invalid (details name the fields), 401 no valid credential, "
                    + "403 role too low, 404 not found (also another team's resource), 409 conflict, 413 too large, "
                    + "429 rate limited (Retry-After)").set("content", errorContent());
        }
        responses.putObject("default").put("description", "Failed: 503 a dependency is down (Retry-After), 500 a bug (logged)")
                .set("content", errorContent());
        RouteTable.match(path).ifPresent(route -> {
            op.set("security", security(route.access()));
            if (route.needsTeam() && route.access().allows(CredentialKind.USER)) {
                ArrayNode params = op.withArrayProperty("parameters");
                params.addObject().put("name", "X-Team-ID").put("in", "header").put("required", false)
                        .put("description", "The team to act in; required with a user token, ignored with an sk- or dk- key")
                        .putObject("schema").put("type", "string").put("format", "uuid");
            }
        });
    }

    /** The credentials the gateway's route table lets through to the path, as alternatives. */
    ArrayNode security(Access access) {
        ArrayNode alternatives = json.createArrayNode();
        if (access.allows(CredentialKind.USER)) {
            alternatives.addObject().putArray(USER_TOKEN);
            if (oidc) {
                alternatives.addObject().putArray("oidc");
            }
        }
        if (access.allows(CredentialKind.INTEGRATION)) {
            alternatives.addObject().putArray(INTEGRATION_KEY);
        }
        if (access.allows(CredentialKind.DEVICE)) {
            alternatives.addObject().putArray(DEVICE_KEY);
        }
        return alternatives;
    }

    private ObjectNode errorContent() {
        ObjectNode content = json.createObjectNode();
        content.putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + ERROR);
        return content;
    }

    private ObjectNode errorSchema() {
        ObjectNode s = json.createObjectNode().put("type", "object");
        s.putArray("required").add("error_message");
        ObjectNode props = s.putObject("properties");
        props.putObject("error_message").put("type", "string").put("description", "What went wrong, for people");
        props.putObject("error_code").put("type", "string").put("description", "What went wrong, for programs (e.g. invalid_request, not_found)");
        ObjectNode detail = props.putObject("details").put("type", "array").putObject("items").put("type", "object");
        detail.putObject("properties").<ObjectNode>set("field", json.createObjectNode().put("type", "string"))
                .set("message", json.createObjectNode().put("type", "string"));
        s.set("examples", json.createArrayNode().add(json.createObjectNode().put("error_message", "run request is invalid")
                .put("error_code", "invalid_request").set("details", json.createArrayNode().add(
                        json.createObjectNode().put("field", "parameters.prompt").put("message", "is required")))));
        return s;
    }

    /**
     * What the gateway answers itself: the task and team SSE streams (task-service only serves their JSON forms), MCP, this
     * document.
     */
    private void gatewayOwned(ObjectNode paths) {
        ObjectNode events = paths.path("/api/v1/r/tasks/{id}/events").path("get") instanceof ObjectNode o ? o : null;
        if (events != null) {
            events.put("summary", "A task's events: server-sent events, or JSON with ?after=N&wait=S");
            events.put("description", "With Accept: text/event-stream, the task's history then live events (status, progress, log, "
                    + "preview, completed, failed, cancelled; each id is the task's sequence number, so Last-Event-ID resumes without gaps). "
                    + "Otherwise the events after ?after as JSON, waiting up to ?wait seconds for a new one.");
            ObjectNode ok = events.withObjectProperty("responses").withObjectProperty("200");
            ok.put("description", "The events");
            ok.withObjectProperty("content").putObject("text/event-stream").putObject("schema").put("type", "string");
            ArrayNode params = events.withArrayProperty("parameters");
            params.addObject().put("name", "Last-Event-ID").put("in", "header").put("description", "Resume after this event id")
                    .putObject("schema").put("type", "string");
        }
        ObjectNode team = paths.putObject("/api/v1/r/tasks/events").putObject("get");
        team.put("summary", "Every task of the caller's team, live: server-sent events");
        team.put("description", "State changes (status, completed, failed, cancelled) and progress of the team's tasks, each with the "
                + "task's seq in its data; each id is the moment of the change in epoch milliseconds. A new task's first event carries its "
                + "workflow and creation time. With Last-Event-ID, first the current state of every task that changed since then (task "
                + "events, a task view with its seq), then live; a first connection starts with a ready event. GET /api/v1/r/tasks/changes "
                + "answers the same snapshots as JSON.");
        team.putArray("parameters").addObject().put("name", "Last-Event-ID").put("in", "header")
                .put("description", "Resume after this event id (epoch milliseconds)").putObject("schema").put("type", "string");
        team.putObject("responses").putObject("200").put("description", "The team's events").putObject("content")
                .putObject("text/event-stream").putObject("schema").put("type", "string");
        ObjectNode mcp = paths.putObject("/api/v1/mcp");
        for (String method : List.of("post", "get", "delete")) {
            ObjectNode op = mcp.putObject(method);
            op.put("summary", "MCP (Streamable HTTP), " + method.toUpperCase() + ": JSON-RPC messages of the Model Context Protocol");
            op.put("description", "Takes an sk- key only. Tools: list_workflows, get_workflow, run_workflow, get_task_status, ... "
                    + "(tools/list answers with their schemas). Browser origins other than the deployment's own are refused.");
            ObjectNode ok = op.putObject("responses").putObject("200").put("description", "A JSON-RPC answer, or an event stream of them");
            ok.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/AnyValue");
            if (method.equals("post")) {
                op.putObject("requestBody").put("required", true).putObject("content").putObject("application/json")
                        .putObject("schema").put("$ref", "#/components/schemas/AnyValue");
            }
        }
        ObjectNode token = paths.putObject("/api/v1/r/tasks/{id}/stream-token").putObject("post");
        token.put("summary", "A token for one task's stream and page, for a browser (5 minutes, that task only)");
        token.putArray("parameters").addObject().put("name", "id").put("in", "path").put("required", true)
                .putObject("schema").put("type", "string").put("format", "uuid");
        ObjectNode tokenBody = token.putObject("responses").putObject("200").put("description", "The token and the task page's URL")
                .putObject("content").putObject("application/json").putObject("schema").put("type", "object");
        ObjectNode tokenFields = tokenBody.putObject("properties");
        for (String field : List.of("stream_token", "task_id", "events_url", "page_url")) {
            tokenFields.putObject(field).put("type", "string");
        }
        tokenFields.putObject("expires_at").put("type", "string").put("format", "date-time");
        tokenFields.putObject("expires_in").put("type", "integer");
        for (String run : List.of("/api/v1/r/workflows/slug/{slug}/run", "/api/v1/r/workflows/{id}/run")) {
            if (paths.path(run).path("post") instanceof ObjectNode op) {
                op.put("description", "Queues a task running the workflow's live version (or slug@version) with these parameters. "
                        + "An Idempotency-Key header makes a retried request return the same task.");
                if (op.path("requestBody").path("content").path("application/json") instanceof ObjectNode body) {
                    body.putObject("examples").putObject("demo").put("summary", "The demo workflow").putObject("value")
                            .put("priority", 10).putObject("parameters").put("prompt", "a lighthouse at dusk").put("steps", 8);
                }
                if (op.path("responses").path("202").path("content").path("application/json") instanceof ObjectNode accepted) {
                    accepted.putObject("examples").putObject("accepted").putObject("value").put("task_id", "019abc12-7d3e-7b1f-9e55-2c8f3a4d5e6f");
                }
            }
        }
        ObjectNode preview = paths.putObject("/api/v1/r/tasks/{id}/preview").putObject("get");
        preview.put("summary", "The task's latest preview image (kept 10 minutes after it arrived)");
        preview.put("description", "Each preview event names it with ?v=<preview_id>; with that id the answer may be cached. 404 when the task "
                + "has none (or it expired), as for another team's task.");
        ArrayNode previewParams = preview.putArray("parameters");
        previewParams.addObject().put("name", "id").put("in", "path").put("required", true).putObject("schema").put("type", "string")
                .put("format", "uuid");
        previewParams.addObject().put("name", "v").put("in", "query").put("description", "The preview_id of the preview event")
                .putObject("schema").put("type", "string");
        ObjectNode image = preview.putObject("responses").putObject("200").put("description", "The image (PNG, JPEG or WebP)").putObject("content");
        for (String type : List.of("image/png", "image/jpeg", "image/webp")) {
            image.putObject(type).putObject("schema").put("type", "string").put("contentMediaType", type);
        }
        ObjectNode doc = paths.putObject("/api/v1/openapi.json").putObject("get");
        doc.put("summary", "This document (OpenAPI 3.1)");
        doc.putObject("responses").putObject("200").put("description", "The OpenAPI document").putObject("content")
                .putObject("application/json").putObject("schema").put("type", "object");
    }
}
