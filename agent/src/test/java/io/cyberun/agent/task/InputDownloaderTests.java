package io.cyberun.agent.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.TaskSpec;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input downloads over real HTTP from a local server standing in for presigned object-storage URLs (the end-to-end
 * tests fetch from S3Proxy itself).
 */
class InputDownloaderTests {
    @TempDir
    Path dir;
    HttpServer server;
    String base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", ex -> {
            byte[] body = "image-bytes".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/expired", ex -> {
            ex.sendResponseHeaders(403, -1);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    TaskExecution task(HubMessage.InputFile... inputs) throws Exception {
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "w", 1, "exec", null, null, List.of(), List.of(), null, List.of(), 0, 0, 0);
        return new TaskExecution(UUID.randomUUID(), 1, spec, Files.createDirectories(dir.resolve("task/outputs")), List.of(inputs));
    }

    @Test
    void eachInputLandsInItsParametersFolderUnderItsName() throws Exception {
        TaskExecution task = task(new HubMessage.InputFile("image", "inputs/t/u/cat.png", "cat.png", base + "/ok"),
                new HubMessage.InputFile("mask", "inputs/t/v/../../x", "../../evil name?.png", base + "/ok"));
        Map<String, Path> local = new InputDownloader(HttpClient.newHttpClient()).download(task);
        assertThat(local.get("image")).isEqualTo(dir.resolve("task/inputs/image/cat.png"));
        assertThat(local.get("image")).hasContent("image-bytes");
        assertThat(local.get("mask").getParent()).isEqualTo(dir.resolve("task/inputs/mask"));
        assertThat(local.get("mask")).hasContent("image-bytes");
    }

    @Test
    void aRefusedDownloadFailsNamingTheInput() throws Exception {
        TaskExecution task = task(new HubMessage.InputFile("image", "inputs/t/u/cat.png", "cat.png", base + "/expired"));
        assertThatThrownBy(() -> new InputDownloader(HttpClient.newHttpClient()).download(task))
                .hasMessage("downloading input image failed: object storage answered HTTP 403 (the link expired or was refused)");
        assertThat(dir.resolve("task/inputs/image/cat.png.part")).doesNotExist();
    }
}
