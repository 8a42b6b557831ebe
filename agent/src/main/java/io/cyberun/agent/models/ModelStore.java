package io.cyberun.agent.models;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.files.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's model cache: files under {@code <models dir>/<model_type>/<model_path>} (for ComfyUI, point the
 * directory at ComfyUI's {@code models} folder), and an index ({@code .cyberun-models.json}) of the hash each file was
 * verified with. A sync downloads what the manifest names and the cache lacks (or holds with another hash), checks
 * every downloaded file's size and sha256 before moving it in place, and reuses everything else.
 */
public final class ModelStore {
    static final String INDEX = ".cyberun-models.json";
    static final Duration GET_TIMEOUT = Duration.ofHours(2);
    private static final TypeReference<TreeMap<String, Cached>> INDEX_TYPE = new TypeReference<>() { };

    private final HttpClient http;
    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();

    public ModelStore(HttpClient http, Path dir) {
        this.http = http;
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** What the index says a file was verified as. */
    public record Cached(String hash, long size) {
    }

    /** Reports a sync's progress: the file being fetched and the share of all bytes to fetch done so far (0-100). */
    public interface Progress {
        void report(String detail, double percent);
    }

    /** The outcome of a sync: the names the agent now has of the manifest, and the problems of those it could not get. */
    public record Result(List<String> present, List<String> problems) {
    }

    public Path dir() {
        return dir;
    }

    /** Names of the cached models whose files are still there with their recorded size. */
    public synchronized List<String> present() {
        List<String> names = new ArrayList<>();
        index().forEach((name, cached) -> {
            Path file = dir.resolve(name);
            try {
                if (Files.isRegularFile(file) && Files.size(file) == cached.size()) {
                    names.add(name);
                }
            } catch (IOException e) {
                // unreadable: not present
            }
        });
        return names;
    }

    /** The entries of the manifest the cache does not hold with the same hash. */
    public synchronized List<ModelManifest.Entry> missing(List<ModelManifest.Entry> manifest) {
        Map<String, Cached> index = index();
        List<String> have = present();
        return manifest.stream().filter(e -> {
            Cached c = index.get(e.name());
            return c == null || !c.hash().equals(e.fileHash()) || !have.contains(e.name());
        }).toList();
    }

    /** Brings the cache in line with the manifest; a file that cannot be fetched or verified is skipped, and named. */
    public synchronized Result sync(List<ModelManifest.Entry> manifest, Progress progress) {
        List<ModelManifest.Entry> toFetch = missing(manifest);
        long total = Math.max(1, toFetch.stream().mapToLong(ModelManifest.Entry::fileSize).sum());
        long[] done = {0};
        List<String> problems = new ArrayList<>();
        for (ModelManifest.Entry entry : toFetch) {
            try {
                fetch(entry, bytes -> progress.report("Downloading model " + entry.name() + " (" + human(entry.fileSize()) + ")",
                        Math.min(100.0, 100.0 * (done[0] + bytes) / total)));
            } catch (IOException e) {
                problems.add(entry.name() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(entry.name() + ": interrupted");
                break;
            }
            done[0] += entry.fileSize();
        }
        List<String> have = present();
        List<String> present = manifest.stream().map(ModelManifest.Entry::name).filter(have::contains).toList();
        return new Result(present, problems);
    }

    private interface Bytes {
        void read(long bytes);
    }

    private void fetch(ModelManifest.Entry entry, Bytes progress) throws IOException, InterruptedException {
        Path target = dir.resolve(entry.name()).normalize();
        if (!target.startsWith(dir) || target.equals(dir) || entry.url() == null) {
            throw new IOException("has no usable path or download address");
        }
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(entry.url())).timeout(GET_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha = sha256();
        long size = 0;
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("object storage answered HTTP " + response.statusCode()
                        + (response.statusCode() == 403 ? " (the link expired or was refused)" : ""));
            }
            try (OutputStream out = Files.newOutputStream(partial)) {
                byte[] buffer = new byte[1 << 16];
                long reported = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    sha.update(buffer, 0, n);
                    size += n;
                    if (size - reported >= 8L << 20) {
                        progress.read(size);
                        reported = size;
                    }
                }
            }
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        String hash = "sha256:" + HexFormat.of().formatHex(sha.digest());
        if (size != entry.fileSize() || !hash.equals(entry.fileHash())) {
            Files.deleteIfExists(partial);
            throw new IOException("the downloaded file (" + size + " bytes, " + hash + ") does not match the model's " + entry.fileSize()
                    + " bytes and " + entry.fileHash());
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Map<String, Cached> index = index();
        index.put(entry.name(), new Cached(hash, size));
        writeIndex(index);
        progress.read(size);
    }

    private Map<String, Cached> index() {
        Path file = dir.resolve(INDEX);
        try {
            return Files.exists(file) ? json.readValue(file.toFile(), INDEX_TYPE) : new TreeMap<>();
        } catch (IOException e) {
            return new TreeMap<>();
        }
    }

    private void writeIndex(Map<String, Cached> index) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(INDEX + ".tmp");
        json.writeValue(tmp.toFile(), index);
        Files.move(tmp, dir.resolve(INDEX), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.1f GB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format("%.1f MB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }
}
