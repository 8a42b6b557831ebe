package io.cyberun.agent.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.cyberun.contracts.files.ModelManifest;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model syncs over real HTTP from a local server standing in for presigned URLs (the end-to-end test uses S3Proxy). */
class ModelStoreTests {
    static final byte[] WEIGHTS = "checkpoint weights".getBytes(StandardCharsets.UTF_8);
    @TempDir
    Path dir;
    HttpServer server;
    String base;
    final AtomicInteger downloads = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/weights", ex -> {
            downloads.incrementAndGet();
            ex.sendResponseHeaders(200, WEIGHTS.length);
            ex.getResponseBody().write(WEIGHTS);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    ModelManifest.Entry entry(String type, String path, String hash) {
        return new ModelManifest.Entry(UUID.randomUUID(), type + "/" + path, type, path, WEIGHTS.length, hash, base + "/weights");
    }

    @Test
    void aModelIsDownloadedVerifiedPlacedUnderItsTypeAndReusedOnTheNextSync() throws Exception {
        ModelStore store = new ModelStore(HttpClient.newHttpClient(), dir);
        ModelManifest.Entry sdxl = entry("checkpoints", "sdxl/base.safetensors", sha256(WEIGHTS));
        List<Double> percents = new ArrayList<>();
        ModelStore.Result result = store.sync(List.of(sdxl), (detail, percent) -> percents.add(percent));
        assertThat(result.present()).containsExactly("checkpoints/sdxl/base.safetensors");
        assertThat(result.problems()).isEmpty();
        assertThat(Files.readAllBytes(dir.resolve("checkpoints/sdxl/base.safetensors"))).isEqualTo(WEIGHTS);
        assertThat(percents).last().isEqualTo(100.0);

        ModelStore again = new ModelStore(HttpClient.newHttpClient(), dir);
        assertThat(again.present()).containsExactly("checkpoints/sdxl/base.safetensors");
        assertThat(again.missing(List.of(sdxl))).isEmpty();
        again.sync(List.of(sdxl), (d, p) -> { });
        assertThat(downloads.get()).as("the cached copy is reused").isEqualTo(1);

        Files.delete(dir.resolve("checkpoints/sdxl/base.safetensors"));
        assertThat(again.present()).isEmpty();
        assertThat(again.missing(List.of(sdxl))).hasSize(1);
    }

    @Test
    void aFileThatDoesNotMatchItsHashIsDiscardedAndNamed() throws Exception {
        ModelStore store = new ModelStore(HttpClient.newHttpClient(), dir);
        ModelManifest.Entry wrong = entry("loras", "style.safetensors", sha256("something else".getBytes()));
        ModelStore.Result result = store.sync(List.of(wrong), (d, p) -> { });
        assertThat(result.present()).isEmpty();
        assertThat(result.problems()).singleElement().asString().startsWith("loras/style.safetensors: the downloaded file");
        assertThat(dir.resolve("loras/style.safetensors")).doesNotExist();
        assertThat(dir.resolve("loras/style.safetensors.part")).doesNotExist();
    }

    @Test
    void aNameThatWouldLeaveTheModelsDirectoryIsRefused() throws Exception {
        ModelStore store = new ModelStore(HttpClient.newHttpClient(), dir.resolve("models"));
        ModelManifest.Entry escape = new ModelManifest.Entry(UUID.randomUUID(), "../outside.bin", "..", "outside.bin", WEIGHTS.length,
                sha256(WEIGHTS), base + "/weights");
        ModelStore.Result result = store.sync(List.of(escape), (d, p) -> { });
        assertThat(result.problems()).hasSize(1);
        assertThat(dir.resolve("outside.bin")).doesNotExist();
        assertThat(downloads.get()).isZero();
    }
}
