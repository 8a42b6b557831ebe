package io.cyberun.agent.task;

import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.TaskOutputFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Uploads a task's output folder: asks the hub for presigned PUT URLs (the hub asks file-service, which builds the
 * object keys), then PUTs each file straight to object storage with exactly the signed headers. Bytes never pass
 * through the hub.
 */
public final class OutputUploader {
    static final int MAX_FILES = 1000;
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    static final Duration PUT_TIMEOUT = Duration.ofMinutes(30);
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("webp", "image/webp"), Map.entry("gif", "image/gif"), Map.entry("svg", "image/svg+xml"),
            Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"), Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain"), Map.entry("log", "text/plain"), Map.entry("ply", "application/octet-stream"),
            Map.entry("glb", "model/gltf-binary"), Map.entry("zip", "application/zip"));

    private final HttpClient http;
    private final Predicate<AgentMessage> sender;
    private final Map<String, CompletableFuture<HubMessage.UploadUrls>> pending = new ConcurrentHashMap<>();

    public OutputUploader(HttpClient http, Predicate<AgentMessage> sender) {
        this.http = http;
        this.sender = sender;
    }

    public List<TaskOutputFile> upload(TaskExecution task) throws Exception {
        Path dir = task.outputDir();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        if (files.isEmpty()) {
            return List.of();
        }
        if (files.size() > MAX_FILES) {
            throw new IOException("the task left " + files.size() + " files; at most " + MAX_FILES + " are uploaded");
        }
        List<AgentMessage.UploadFile> wanted = new ArrayList<>();
        for (Path f : files) {
            wanted.add(new AgentMessage.UploadFile(name(dir, f), Files.size(f), contentType(f)));
        }
        HubMessage.UploadUrls answer = ask(new AgentMessage.UploadRequest(UUID.randomUUID().toString(), task.taskId(), task.attempt(), wanted));
        if (answer.error() != null) {
            throw new IOException(answer.error());
        }
        List<TaskOutputFile> outputs = new ArrayList<>();
        for (HubMessage.UploadTarget target : answer.targets()) {
            Path file = dir.resolve(target.name());
            String type = target.headers().getOrDefault("Content-Type", contentType(file));
            put(target, file);
            outputs.add(new TaskOutputFile(target.name(), target.storageKey(), Files.size(file), type, sha256(file),
                    task.outputIds().get(target.name())));
        }
        return outputs;
    }

    /** The hub's answer to an upload request. */
    public void answered(HubMessage.UploadUrls answer) {
        CompletableFuture<HubMessage.UploadUrls> waiting = pending.remove(answer.requestId());
        if (waiting != null) {
            waiting.complete(answer);
        }
    }

    private HubMessage.UploadUrls ask(AgentMessage.UploadRequest request) throws Exception {
        CompletableFuture<HubMessage.UploadUrls> answer = new CompletableFuture<>();
        pending.put(request.requestId(), answer);
        try {
            long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
            // The connection may be re-establishing; keep trying until it is back or the time is up.
            while (!sender.test(request)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("not connected to the hub; cannot get upload URLs");
                }
                Thread.sleep(500);
            }
            return answer.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            pending.remove(request.requestId());
        }
    }

    private void put(HubMessage.UploadTarget target, Path file) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.url())).timeout(PUT_TIMEOUT)
                .PUT(HttpRequest.BodyPublishers.ofFile(file));
        target.headers().forEach((name, value) -> {
            // The client sets these itself (from the file): they match what was signed.
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Host")) {
                request.header(name, value);
            }
        });
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            String body = response.body() == null ? "" : response.body();
            throw new IOException("storing " + target.name() + " answered HTTP " + response.statusCode() + ": "
                    + body.substring(0, Math.min(200, body.length())));
        }
    }

    static String name(Path dir, Path file) {
        return dir.relativize(file).toString().replace('\\', '/');
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
