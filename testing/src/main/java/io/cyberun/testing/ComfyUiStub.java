package io.cyberun.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for ComfyUI, which cannot be installed on these machines (it needs Python with PyTorch and a GPU). It
 * speaks the part of ComfyUI's documented server API the agent uses, with the same paths, bodies and WebSocket
 * events: {@code POST /prompt} (400 with {@code node_errors} for an invalid graph), {@code /ws?clientId=} events
 * ({@code status}, {@code execution_start}, {@code execution_cached}, {@code executing}, {@code progress},
 * {@code executed}, {@code execution_success}, {@code execution_error}, {@code execution_interrupted}, and binary
 * preview frames after each sampler step),
 * {@code GET /history/{id}}, {@code GET /view}, {@code POST /interrupt}, {@code GET} and {@code POST /queue},
 * {@code POST /upload/image} and {@code GET /system_stats}.
 * <p>
 * It "executes" a graph node by node: {@code KSampler} reports {@code inputs.steps} progress steps of
 * {@link #stepMillis} each; {@code SaveImage} produces {@code <filename_prefix>_00001_.png} of type {@code output}
 * whose bytes are the JSON of the node's inputs (so tests see what was injected); {@code PreviewImage} produces a
 * {@code temp} file; {@code LoadImage} fails unless its {@code image} was uploaded; {@code Explode} fails; a node of
 * class {@code Invalid} makes {@code POST /prompt} answer 400. A little over 300 lines because it mirrors that API,
 * one case per endpoint and event; its canned answers and preview frames are apart ({@link ComfyUiAnswers},
 * {@link ComfyUiPreviews}).
 */
public final class ComfyUiStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Map<String, ServerWebSocket> sockets = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> history = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, byte[]> uploads = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    /** Every graph received by {@code POST /prompt}, in order. */
    public final List<JsonNode> prompts = new CopyOnWriteArrayList<>();
    /** Prompt ids named by {@code POST /queue} deletes. */
    public final List<String> deleted = new CopyOnWriteArrayList<>();
    private final Map<String, String> clientOf = new ConcurrentHashMap<>();
    /** Prompt ids named by {@code POST /interrupt}. */
    public final List<String> interrupts = new CopyOnWriteArrayList<>();
    public volatile boolean healthy = true;
    /** When false, the WebSocket carries no events (the agent must follow the prompt through /history). */
    public volatile boolean events = true;
    /** When true (the default), each sampler step also sends a preview frame, as ComfyUI does with previews on. */
    public volatile boolean previews = true;
    public volatile long stepMillis = 20;
    private volatile String running;

    public ComfyUiStub() {
        server = vertx.createHttpServer().webSocketHandler(this::socket).requestHandler(this::request);
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the ComfyUI stub", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** The bytes uploaded under a name ({@code subfolder/name}). */
    public byte[] uploaded(String name) {
        return uploads.get(name);
    }

    private void socket(ServerWebSocket ws) {
        if (!ws.path().equals("/ws")) {
            ws.reject(404);
            return;
        }
        String query = ws.query() == null ? "" : ws.query();
        String clientId = query.startsWith("clientId=") ? query.substring("clientId=".length()) : UUID.randomUUID().toString();
        sockets.put(clientId, ws);
        ws.closeHandler(v -> sockets.remove(clientId, ws));
        ws.writeTextMessage(event("status", JSON.createObjectNode().put("sid", clientId)
                .set("status", JSON.createObjectNode().set("exec_info", JSON.createObjectNode().put("queue_remaining", 0)))));
    }

    private void request(HttpServerRequest req) {
        String path = req.path();
        if (req.method().name().equals("POST") && path.equals("/upload/image")) {
            upload(req);
            return;
        }
        req.body().onSuccess(body -> {
            try {
                route(req, path, body);
            } catch (Exception e) {
                reply(req, 500, JSON.createObjectNode().put("error", e.toString()));
            }
        });
    }

    private void route(HttpServerRequest req, String path, Buffer body) throws Exception {
        switch (req.method().name() + " " + (path.startsWith("/history/") ? "/history/" : path)) {
            case "GET /system_stats" -> {
                if (!healthy) {
                    reply(req, 503, JSON.createObjectNode().put("error", "starting"));
                    return;
                }
                reply(req, 200, ComfyUiAnswers.systemStats(JSON));
            }
            case "POST /prompt" -> prompt(req, JSON.readTree(body.toString()));
            case "GET /history/" -> {
                String id = path.substring("/history/".length());
                ObjectNode answer = JSON.createObjectNode();
                ObjectNode entry = history.get(id);
                if (entry != null) {
                    answer.set(id, entry);
                }
                reply(req, 200, answer);
            }
            case "GET /view" -> {
                String key = req.getParam("type", "output") + "/" + req.getParam("subfolder", "") + "/" + req.getParam("filename", "");
                byte[] bytes = files.get(key);
                if (bytes == null) {
                    req.response().setStatusCode(404).end();
                } else {
                    req.response().putHeader("Content-Type", "image/png").end(Buffer.buffer(bytes));
                }
            }
            case "POST /interrupt" -> {
                JsonNode b = body.length() == 0 ? JSON.createObjectNode() : JSON.readTree(body.toString());
                String id = b.path("prompt_id").asText(running);
                interrupts.add(String.valueOf(id));
                req.response().setStatusCode(200).end();
            }
            case "POST /queue" -> {
                JsonNode b = body.length() == 0 ? JSON.createObjectNode() : JSON.readTree(body.toString());
                b.path("delete").forEach(id -> deleted.add(id.asText()));
                req.response().setStatusCode(200).end();
            }
            case "GET /queue" -> {
                ObjectNode queue = JSON.createObjectNode();
                ArrayNode runningNow = queue.putArray("queue_running");
                String current = running;
                if (current != null) {
                    ArrayNode item = runningNow.addArray().add(1).add(current);
                    item.addObject();
                    item.addObject().put("client_id", clientOf.getOrDefault(current, ""));
                    item.addArray();
                }
                queue.putArray("queue_pending");
                reply(req, 200, queue);
            }
            default -> req.response().setStatusCode(404).end();
        }
    }

    private void prompt(HttpServerRequest req, JsonNode body) {
        JsonNode graph = body.path("prompt");
        String clientId = body.path("client_id").asText("");
        prompts.add(graph);
        for (Iterator<Map.Entry<String, JsonNode>> it = graph.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> node = it.next();
            if ("Invalid".equals(node.getValue().path("class_type").asText())) {
                reply(req, 400, ComfyUiAnswers.validationError(JSON, node.getKey()));
                return;
            }
        }
        String id = UUID.randomUUID().toString();
        ObjectNode entry = JSON.createObjectNode();
        entry.putObject("outputs");
        entry.putObject("status").put("status_str", "running").put("completed", false).putArray("messages");
        history.put(id, entry);
        clientOf.put(id, clientId);
        reply(req, 200, JSON.createObjectNode().put("prompt_id", id).put("number", counter.incrementAndGet()).set("node_errors",
                JSON.createObjectNode()));
        Thread.ofVirtual().start(() -> execute(id, clientId, graph, entry));
    }

    private void execute(String id, String clientId, JsonNode graph, ObjectNode entry) {
        int before = interrupts.size();
        running = id;
        send(clientId, "execution_start", JSON.createObjectNode().put("prompt_id", id));
        send(clientId, "execution_cached", JSON.createObjectNode().put("prompt_id", id).set("nodes", JSON.createArrayNode()));
        for (Iterator<Map.Entry<String, JsonNode>> it = graph.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> node = it.next();
            String nodeId = node.getKey();
            String type = node.getValue().path("class_type").asText();
            JsonNode inputs = node.getValue().path("inputs");
            send(clientId, "executing", JSON.createObjectNode().put("prompt_id", id).put("node", nodeId));
            String failure = null;
            if (type.equals("KSampler")) {
                int steps = inputs.path("steps").asInt(5);
                for (int step = 1; step <= steps && failure == null; step++) {
                    sleep(stepMillis);
                    if (interrupts.size() > before) {
                        finish(id, clientId, entry, "execution_interrupted", JSON.createObjectNode().put("prompt_id", id)
                                .put("node_id", nodeId).put("node_type", type));
                        return;
                    }
                    send(clientId, "progress", JSON.createObjectNode().put("prompt_id", id).put("node", nodeId).put("value", step)
                            .put("max", steps));
                    preview(clientId, id, nodeId, step);
                }
            } else if (type.equals("LoadImage") && !uploads.containsKey(inputs.path("image").asText())) {
                failure = "Invalid image file: " + inputs.path("image").asText();
            } else if (type.equals("Explode")) {
                failure = "boom";
            }
            if (failure != null) {
                finish(id, clientId, entry, "execution_error", JSON.createObjectNode().put("prompt_id", id).put("node_id", nodeId)
                        .put("node_type", type).put("exception_type", "RuntimeError").put("exception_message", failure + "\n"));
                return;
            }
            ObjectNode output = null;
            if (type.equals("SaveImage") || type.equals("PreviewImage")) {
                String kind = type.equals("SaveImage") ? "output" : "temp";
                String name = inputs.path("filename_prefix").asText("ComfyUI") + "_00001_.png";
                files.put(kind + "//" + name, inputs.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                output = JSON.createObjectNode();
                output.putArray("images").addObject().put("filename", name).put("subfolder", "").put("type", kind);
                ((ObjectNode) entry.get("outputs")).set(nodeId, output);
            }
            send(clientId, "executed", JSON.createObjectNode().put("prompt_id", id).put("node", nodeId)
                    .set("output", output == null ? JSON.createObjectNode() : output));
        }
        finish(id, clientId, entry, "execution_success", JSON.createObjectNode().put("prompt_id", id));
        send(clientId, "executing", JSON.createObjectNode().put("prompt_id", id).putNull("node"));
    }

    private void finish(String id, String clientId, ObjectNode entry, String type, ObjectNode data) {
        ObjectNode status = (ObjectNode) entry.get("status");
        ArrayNode messages = (ArrayNode) status.get("messages");
        messages.addArray().add(type).add(data);
        status.put("status_str", type.equals("execution_success") ? "success" : "error").put("completed", type.equals("execution_success"));
        send(clientId, type, data);
        running = null;
    }

    private void upload(HttpServerRequest req) {
        req.setExpectMultipart(true);
        Buffer content = Buffer.buffer();
        String[] fileName = new String[1];
        req.uploadHandler(upload -> {
            fileName[0] = upload.filename();
            upload.handler(content::appendBuffer);
        });
        req.endHandler(v -> {
            String subfolder = req.formAttributes().get("subfolder") == null ? "" : req.formAttributes().get("subfolder");
            if (fileName[0] == null) {
                reply(req, 400, JSON.createObjectNode().put("error", "no image"));
                return;
            }
            uploads.put(subfolder.isEmpty() ? fileName[0] : subfolder + "/" + fileName[0], content.getBytes());
            reply(req, 200, JSON.createObjectNode().put("name", fileName[0]).put("subfolder", subfolder).put("type", "input"));
        });
    }

    private void send(String clientId, String type, ObjectNode data) {
        ServerWebSocket ws = sockets.get(clientId);
        if (events && ws != null && !ws.isClosed()) {
            ws.writeTextMessage(event(type, data));
        }
    }

    /** A sampler's preview frame over the client's WebSocket (see {@link ComfyUiPreviews#frame}). */
    private void preview(String clientId, String promptId, String nodeId, int step) {
        ServerWebSocket ws = sockets.get(clientId);
        if (!events || !previews || ws == null || ws.isClosed()) {
            return;
        }
        ws.writeBinaryMessage(ComfyUiPreviews.frame(promptId, nodeId, step));
    }

    /** A small PNG whose colour changes with the step (a real image, so browsers and decoders accept it). */
    public static byte[] previewImage(int step) {
        return ComfyUiPreviews.image(step);
    }

    private static String event(String type, JsonNode data) {
        return JSON.createObjectNode().put("type", type).set("data", data).toString();
    }

    private static void reply(HttpServerRequest req, int status, JsonNode body) {
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
