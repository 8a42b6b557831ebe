package io.cyberun.agent.runtime.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * ComfyUI's HTTP and WebSocket API, as its server exposes it: {@code POST /prompt}, {@code GET /history/{id}},
 * {@code GET /view}, {@code POST /interrupt}, {@code POST /queue}, {@code POST /upload/image},
 * {@code GET /system_stats} and the {@code /ws?clientId=} event stream.
 */
final class ComfyUiClient {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final ObjectMapper json;
    private final URI base;

    ComfyUiClient(HttpClient http, ObjectMapper json, String url) {
        this.http = http;
        this.json = json;
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
    }

    URI base() {
        return base;
    }

    /** {@code GET /system_stats}; throws when ComfyUI does not answer with it. */
    JsonNode systemStats() throws IOException, InterruptedException {
        return getJson("system_stats", Duration.ofSeconds(5));
    }

    /** {@code GET /queue}: {@code queue_running} and {@code queue_pending}, items {@code [number, prompt_id, prompt, extra_data, ...]}. */
    JsonNode queue() throws IOException, InterruptedException {
        return getJson("queue", CALL_TIMEOUT);
    }

    /** Submits a graph; the answer carries {@code prompt_id}, or on HTTP 400 {@code error} and {@code node_errors}. */
    Answer queuePrompt(JsonNode graph, String clientId) throws IOException, InterruptedException {
        var body = json.createObjectNode();
        body.set("prompt", graph);
        body.put("client_id", clientId);
        return postJson("prompt", body);
    }

    JsonNode history(String promptId) throws IOException, InterruptedException {
        return getJson("history/" + encode(promptId), CALL_TIMEOUT);
    }

    /** {@code GET /view} of one produced file, into {@code target}. */
    void download(String filename, String subfolder, String type, Path target) throws IOException, InterruptedException {
        URI uri = base.resolve("view?filename=" + encode(filename) + "&subfolder=" + encode(subfolder) + "&type=" + encode(type));
        Files.createDirectories(target.getParent());
        HttpResponse<Path> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build(),
                HttpResponse.BodyHandlers.ofFile(target));
        if (r.statusCode() != 200) {
            Files.deleteIfExists(target);
            throw new IOException("ComfyUI answered HTTP " + r.statusCode() + " for output " + filename);
        }
    }

    /** {@code POST /upload/image} (multipart, field {@code image}); returns the name to put in a LoadImage input. */
    String uploadImage(Path file, String subfolder) throws IOException, InterruptedException {
        String boundary = "cyberun-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        part(body, boundary, "subfolder", null, subfolder.getBytes(StandardCharsets.UTF_8));
        part(body, boundary, "type", null, "input".getBytes(StandardCharsets.UTF_8));
        part(body, boundary, "overwrite", null, "true".getBytes(StandardCharsets.UTF_8));
        part(body, boundary, "image", file.getFileName().toString(), Files.readAllBytes(file));
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("upload/image")).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("ComfyUI refused the upload of " + file.getFileName() + " (HTTP " + r.statusCode() + ")");
        }
        JsonNode answer = json.readTree(r.body());
        String name = answer.path("name").asText("");
        String folder = answer.path("subfolder").asText("");
        return folder.isEmpty() ? name : folder + "/" + name;
    }

    /** Opens the event stream for one client id; events arrive as JSON text frames in the returned queue. */
    Events events(String clientId) {
        URI ws = URI.create(base.toString().replaceFirst("^http", "ws")).resolve("ws?clientId=" + encode(clientId));
        Events events = new Events(json);
        events.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(ws, events).join();
        return events;
    }

    private JsonNode getJson(String path, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("ComfyUI answered HTTP " + r.statusCode() + " for " + path);
        }
        return json.readTree(r.body());
    }

    private Answer postJson(String path, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode parsed;
        try {
            parsed = r.body() == null || r.body().isBlank() ? json.createObjectNode() : json.readTree(r.body());
        } catch (IOException e) {
            parsed = json.createObjectNode().put("error", r.body());
        }
        return new Answer(r.statusCode(), parsed);
    }

    private static void part(ByteArrayOutputStream out, String boundary, String name, String fileName, byte[] content) throws IOException {
        StringBuilder head = new StringBuilder("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(name).append('"');
        if (fileName != null) {
            head.append("; filename=\"").append(fileName.replace("\"", "_")).append("\"\r\nContent-Type: application/octet-stream");
        }
        head.append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        out.write(content);
        out.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }

    /** An HTTP status and its JSON body. */
    record Answer(int status, JsonNode body) {
    }

    /** A preview frame ComfyUI sent; {@code nodeId} only when ComfyUI said which node made it. */
    record Preview(String contentType, String nodeId, byte[] image) {
    }

    /**
     * The WebSocket event stream: JSON events in {@link #queue}, and the latest preview frame (binary messages: a
     * big-endian int event type, 1 for a preview with an int image type after it, 1 JPEG or 2 PNG, then the image; 4
     * for a preview with metadata, an int length and that much JSON naming the node and {@code image_type}, then the
     * image). Other binary messages, and frames larger than a preview may be, are skipped.
     */
    static final class Events implements WebSocket.Listener, AutoCloseable {
        static final int PREVIEW_IMAGE = 1;
        static final int PREVIEW_IMAGE_WITH_METADATA = 4;
        /** Larger binary messages are not read into memory (an agent only sends previews up to PreviewInfo.MAX_BYTES). */
        static final int MAX_BINARY = 4 * 1024 * 1024;
        final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
        private final java.util.concurrent.atomic.AtomicReference<Preview> preview = new java.util.concurrent.atomic.AtomicReference<>();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
        private boolean binaryTooLarge;
        private final ObjectMapper json;
        private final StringBuilder partial = new StringBuilder();
        private volatile WebSocket socket;
        private volatile boolean open = true;

        Events(ObjectMapper json) {
            this.json = json;
        }

        boolean open() {
            return open;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    queue.add(json.readTree(partial.toString()));
                } catch (IOException e) {
                    // not an event we understand
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            if (!binaryTooLarge && binary.size() + data.remaining() <= MAX_BINARY) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                binary.writeBytes(chunk);
            } else {
                binaryTooLarge = true;
            }
            if (last) {
                if (!binaryTooLarge) {
                    Preview p = preview(ByteBuffer.wrap(binary.toByteArray()), json);
                    if (p != null) {
                        preview.set(p);
                    }
                }
                binary.reset();
                binaryTooLarge = false;
            }
            webSocket.request(1);
            return null;
        }

        /** The latest preview since the last call, or null. */
        Preview takePreview() {
            return preview.getAndSet(null);
        }

        /** A preview from one whole binary message, or null when it is not one. */
        static Preview preview(ByteBuffer message, ObjectMapper json) {
            try {
                int type = message.getInt();
                if (type == PREVIEW_IMAGE) {
                    String contentType = switch (message.getInt()) {
                        case 1 -> "image/jpeg";
                        case 2 -> "image/png";
                        default -> null;
                    };
                    return contentType == null ? null : new Preview(contentType, null, rest(message));
                }
                if (type == PREVIEW_IMAGE_WITH_METADATA) {
                    int length = message.getInt();
                    if (length < 0 || length > message.remaining()) {
                        return null;
                    }
                    byte[] metadata = new byte[length];
                    message.get(metadata);
                    JsonNode meta = json.readTree(metadata);
                    String node = meta.hasNonNull("display_node_id") ? meta.get("display_node_id").asText() : meta.path("node_id").asText(null);
                    return new Preview(meta.path("image_type").asText("image/png"), node, rest(message));
                }
            } catch (java.nio.BufferUnderflowException | IOException e) {
                // not a preview we understand
            }
            return null;
        }

        private static byte[] rest(ByteBuffer message) {
            byte[] image = new byte[message.remaining()];
            message.get(image);
            return image;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            open = false;
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            open = false;
        }

        @Override
        public void close() {
            open = false;
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
        }
    }

    /**
     * Takes the prompt off the queue if it has not started and interrupts it if it runs (an older ComfyUI ignores
     * {@code prompt_id} and interrupts whatever runs); quiet when ComfyUI is gone (nothing left to stop).
     */
    void stop(String promptId) {
        try {
            var delete = json.createObjectNode();
            delete.putArray("delete").add(promptId);
            postJson("queue", delete);
            postJson("interrupt", json.createObjectNode().put("prompt_id", promptId));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // ComfyUI is gone: nothing left to stop
        }
    }
}
