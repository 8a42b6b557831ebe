package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Moves files between this machine and the platform's object store through the short-lived URLs the API hands out:
 * an input goes up in one presigned PUT, or in parts above {@link #multipartThreshold()}; an output comes down and
 * is checked against the SHA-256 the agent recorded. Both show progress.
 */
final class Transfers {
    /** Files above this go up in parts (100 MiB; {@code CYBERUN_MULTIPART_THRESHOLD} changes it, in bytes). */
    static final long MULTIPART_THRESHOLD = 100L * 1024 * 1024;
    /** Part size asked for (S3's minimum is 5 MiB; the service raises it for huge files). */
    static final long PART_SIZE = 16L * 1024 * 1024;
    /** Headers the HTTP client sets itself and refuses to be given. */
    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");

    private Transfers() {
    }

    static long multipartThreshold() {
        String v = System.getenv("CYBERUN_MULTIPART_THRESHOLD");
        try {
            return v == null || v.isBlank() ? MULTIPART_THRESHOLD : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage("CYBERUN_MULTIPART_THRESHOLD must be a number of bytes, not " + v, "unset it or give bytes");
        }
    }

    /** Uploads a workflow input; returns the key to pass as the file parameter's value. */
    static String upload(Api api, Path file, String workflowSlug, String parameterKey) {
        long size = size(file);
        String name = file.getFileName().toString();
        String type = contentType(file);
        if (size > multipartThreshold()) {
            return multipart(api, file, size, name, type);
        }
        ObjectNode body = Config.JSON.createObjectNode().put("file_name", name).put("file_size", size).put("content_type", type);
        if (workflowSlug != null && parameterKey != null) {
            body.put("workflow_slug", workflowSlug).put("parameter_key", parameterKey);
        }
        JsonNode presigned = api.post("/api/v1/r/files/presign", body);
        Out.Progress bar = new Out.Progress("uploading " + name);
        put(presigned.path("upload_url").asText(), presigned.path("upload_headers"), file, 0, size, size, 0, bar);
        bar.done();
        return presigned.path("file_key").asText();
    }

    private static String multipart(Api api, Path file, long size, String name, String type) {
        JsonNode started = api.post("/api/v1/uploads/multipart/initiate", Config.JSON.createObjectNode().put("file_name", name)
                .put("file_size", size).put("content_type", type).put("kind", "input").put("part_size", PART_SIZE));
        String uploadId = started.path("upload_id").asText();
        long partSize = started.path("part_size").asLong();
        int count = started.path("part_count").asInt();
        Out.say("uploading " + name + " (" + Out.bytes(size) + ") in " + count + " parts");
        JsonNode urls = api.post("/api/v1/uploads/multipart/" + Api.segment(uploadId) + "/parts", Config.JSON.createObjectNode());
        ObjectNode complete = Config.JSON.createObjectNode();
        var parts = complete.putArray("parts");
        Out.Progress bar = new Out.Progress("uploading " + name);
        try {
            for (JsonNode part : urls.path("parts")) {
                int number = part.path("part_number").asInt();
                long offset = (number - 1) * partSize;
                long length = Math.min(partSize, size - offset);
                String etag = put(part.path("upload_url").asText(), part.path("upload_headers"), file, offset, length, size, offset, bar);
                parts.addObject().put("part_number", number).put("etag", etag);
            }
        } catch (RuntimeException e) {
            try {
                api.delete("/api/v1/uploads/multipart/" + Api.segment(uploadId));
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        } finally {
            bar.done();
        }
        return api.post("/api/v1/uploads/multipart/" + Api.segment(uploadId) + "/complete", complete).path("storage_key").asText();
    }

    /** PUTs {@code length} bytes of the file from {@code offset}; returns the store's ETag. */
    private static String put(String url, JsonNode headers, Path file, long offset, long length, long total, long done, Out.Progress bar) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30));
        headers.properties().forEach(h -> {
            if (!RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                request.header(h.getKey(), h.getValue().asText());
            }
        });
        request.PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                InputStream in = Files.newInputStream(file);
                in.skipNBytes(offset);
                return new Counting(new Bounded(in, length), n -> bar.update((double) (done + n) / total,
                        Out.bytes(done + n) + " of " + Out.bytes(total)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }), length));
        try {
            HttpResponse<String> r = Api.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new CliException(CliException.UNAVAILABLE, "the object store refused the upload of " + file.getFileName()
                        + " (HTTP " + r.statusCode() + ")", "try again; an upload URL lives 15 minutes");
            }
            return r.headers().firstValue("ETag").orElse("");
        } catch (IOException e) {
            throw new CliException(CliException.UNAVAILABLE, "uploading " + file.getFileName() + " failed: " + e.getMessage(),
                    "check your connection and try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNAVAILABLE, "interrupted", null);
        }
    }

    /** Downloads one output into {@code target}; checks its SHA-256 when the platform recorded one. */
    static void download(String url, Path target, String expectedSha256, long expectedSize) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET().build();
        Out.Progress bar = new Out.Progress("downloading " + target.getFileName());
        try {
            HttpResponse<InputStream> r = Api.HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                throw new CliException(CliException.UNAVAILABLE, "the download of " + target.getFileName() + " was refused (HTTP "
                        + r.statusCode() + ")", "download links expire: run the command again for fresh ones");
            }
            long total = r.headers().firstValueAsLong("Content-Length").orElse(expectedSize);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buffer = new byte[64 * 1024];
                long got = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    sha.update(buffer, 0, n);
                    got += n;
                    if (total > 0) {
                        bar.update((double) got / total, Out.bytes(got) + " of " + Out.bytes(total));
                    }
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (expectedSha256 != null && !expectedSha256.isBlank() && !expectedSha256.equalsIgnoreCase(actual)) {
                Files.deleteIfExists(tmp);
                throw new CliException(CliException.UNAVAILABLE, target.getFileName() + " arrived damaged (SHA-256 " + actual
                        + ", the agent recorded " + expectedSha256 + ")", "download it again");
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CliException(CliException.UNAVAILABLE, "downloading " + target.getFileName() + " failed: " + e.getMessage(),
                    "check your connection and the folder, then try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNAVAILABLE, "interrupted", null);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            bar.done();
        }
    }

    static long size(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw CliException.usage("cannot read " + file + ": not a readable file", "check the path after -f key=");
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw CliException.usage(file + " is empty", "an input file needs at least one byte");
            }
            return size;
        } catch (IOException e) {
            throw CliException.usage("cannot read " + file + ": " + e.getMessage(), "check the path after -f key=");
        }
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<String, String> known = Map.of(".png", "image/png", ".jpg", "image/jpeg", ".jpeg", "image/jpeg", ".webp", "image/webp",
                ".gif", "image/gif", ".txt", "text/plain", ".json", "application/json", ".mp4", "video/mp4", ".wav", "audio/wav",
                ".svg", "image/svg+xml");
        for (Map.Entry<String, String> e : known.entrySet()) {
            if (name.endsWith(e.getKey())) {
                return e.getValue();
            }
        }
        try {
            String probed = Files.probeContentType(file);
            return probed != null ? probed : "application/octet-stream";
        } catch (IOException e) {
            return "application/octet-stream";
        }
    }

    /** Reads at most {@code remaining} bytes of the stream under it. */
    private static final class Bounded extends FilterInputStream {
        private long remaining;

        Bounded(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }

    /** Reports the bytes read so far. */
    private static final class Counting extends FilterInputStream {
        private final java.util.function.LongConsumer progress;
        private long count;

        Counting(InputStream in, java.util.function.LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                progress.accept(++count);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
                progress.accept(count);
            }
            return n;
        }
    }
}
