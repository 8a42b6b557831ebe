package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Interactive tunnels through the real stack: gateway → agent-hub → a stream the reference agent dials back → a port
 * on the agent's machine (here, a test server in this JVM and the local PostgreSQL).
 */
@ExtendWith(SharedStack.class)
class TunnelsIT {
    static final int TEN_MB = 10 * 1024 * 1024;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static CyberunStack stack;
    static Vertx vertx;
    static int appPort;
    static TeamFixture team;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        vertx = Vertx.vertx();
        HttpServer app = vertx.createHttpServer().requestHandler(request -> {
            switch (request.path()) {
                case "/hello" -> request.response().putHeader("Content-Type", "text/plain").end("hello " + request.getParam("name"));
                case "/upload" -> {
                    MessageDigest sha = sha256();
                    long[] size = {0};
                    request.handler(b -> {
                        sha.update(b.getBytes());
                        size[0] += b.length();
                    });
                    request.endHandler(v -> request.response().end(size[0] + " " + HexFormat.of().formatHex(sha.digest())));
                }
                case "/download" -> request.response().putHeader("Content-Length", Integer.toString(TEN_MB)).end(Buffer.buffer(tenMegabytes()));
                default -> request.response().setStatusCode(404).end("no " + request.path());
            }
        }).webSocketHandler(ws -> {
            if (!ws.path().equals("/echo")) {
                ws.reject(404);
                return;
            }
            ws.textMessageHandler(t -> ws.writeTextMessage("echo " + t));
            ws.binaryMessageHandler(ws::writeBinaryMessage);
        });
        appPort = app.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        team = new TeamFixture(stack, "Tunnels", stack.workflowJson()).join("dave", "member");
        stack.agent(new CyberunStack.AgentOptions("tunnel-agent", team.ak(), "exec, demo, cpu")
                .tunnelPorts(appPort, stack.ctx.endpoints().pgPort()));
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    static JsonNode open(int port, String protocol) throws Exception {
        return open("tunnel-agent", port, protocol);
    }

    static JsonNode open(String agent, int port, String protocol) throws Exception {
        return ok(team.asUser("alice", "POST", "/api/v1/agents/" + agent + "/tunnel",
                "{\"target_port\":" + port + ",\"tunnel_protocol\":\"" + protocol + "\"}"), 200);
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    static String agentStatus() throws Exception {
        for (JsonNode a : ok(team.asUser("alice", "GET", "/api/v1/agents", null), 200).path("agent_list")) {
            if (a.path("agent_id").asText().equals("tunnel-agent")) {
                return a.path("agent_status").asText();
            }
        }
        return null;
    }

    @Test
    void anHttpTunnelCarriesRequestsLargeBodiesBothWaysAndAWebSocket() throws Exception {
        JsonNode opened = open(appPort, "http");
        String url = opened.path("tunnel_url").asText();
        assertThat(url).startsWith(stack.gateway.url() + "/tunnel/" + opened.path("session_id").asText() + ".").endsWith("/");
        assertThat(opened.path("admin_token").asText()).isNotBlank();
        assertThat(opened.path("tunnel_protocol").asText()).isEqualTo("http");
        try {
            HttpResponse<String> hello = HTTP.send(HttpRequest.newBuilder(URI.create(url + "hello?name=tunnel")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(hello.statusCode()).isEqualTo(200);
            assertThat(hello.body()).isEqualTo("hello tunnel");

            byte[] big = tenMegabytes();
            HttpResponse<String> upload = HTTP.send(HttpRequest.newBuilder(URI.create(url + "upload")).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upload.body()).isEqualTo(TEN_MB + " " + HexFormat.of().formatHex(sha256().digest(big)));
            HttpResponse<InputStream> download = HTTP.send(HttpRequest.newBuilder(URI.create(url + "download")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(download.statusCode()).isEqualTo(200);
            try (InputStream in = download.body()) {
                // The client's timeout covers the head only: a body that stalls fails the test instead of hanging the suite.
                byte[] got = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).get(60, TimeUnit.SECONDS);
                assertThat(HexFormat.of().formatHex(sha256().digest(got))).isEqualTo(HexFormat.of().formatHex(sha256().digest(big)));
            }

            CompletableFuture<String> text = new CompletableFuture<>();
            CompletableFuture<byte[]> binary = new CompletableFuture<>();
            WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create(url.replaceFirst("^http", "ws") + "echo"), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    text.complete(data.toString());
                    webSocket.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    binary.complete(b);
                    webSocket.request(1);
                    return null;
                }
            }).get(20, TimeUnit.SECONDS);
            ws.sendText("ping", true).get(10, TimeUnit.SECONDS);
            assertThat(text.get(20, TimeUnit.SECONDS)).isEqualTo("echo ping");
            ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(10, TimeUnit.SECONDS);
            assertThat(binary.get(20, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");

            JsonNode status = ok(team.asUser("alice", "GET", "/api/v1/agents/tunnel-agent/tunnel", null), 200);
            assertThat(status.path("is_active").asBoolean()).isTrue();
            assertThat(status.path("session_id").asText()).isEqualTo(opened.path("session_id").asText());
            assertThat(status.path("tunnel_url").asText()).isEqualTo(url);
        } finally {
            ok(team.asUser("alice", "DELETE", "/api/v1/agents/tunnel-agent/tunnel", null), 200);
        }
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url + "hello?name=late")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(404);
        assertThat(ok(team.asUser("alice", "GET", "/api/v1/agents/tunnel-agent/tunnel", null), 200).path("is_active").asBoolean()).isFalse();
    }

    @Test
    void whileATunnelIsOpenTheAgentReportsTunnelAndTakesNoTaskUntilItCloses() throws Exception {
        JsonNode opened = open(appPort, "http");
        await().atMost(Duration.ofSeconds(20)).until(() -> "tunnel".equals(agentStatus()));
        HttpResponse<String> run = WalkingSkeletonIT.call("POST", "/api/v1/r/workflows/slug/demo-render/run", team.sk(),
                "{\"parameters\":{\"prompt\":\"while tunnelled\"}}", Map.of());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
        String task = WalkingSkeletonIT.json(run.body()).path("task_id").asText();
        // Not run while the tunnel is open: it waits (a dispatch that raced the agent's new status is refused by the agent).
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> List.of("pending", "waiting", "queued")
                .contains(ok(team.asUser("alice", "GET", "/api/v1/r/tasks/" + task, null), 200).path("status").asText()));

        JsonNode closed = ok(team.asUser("alice", "DELETE", "/api/v1/agents/tunnel-agent/tunnel?session_id=" + opened.path("session_id").asText(), null), 200);
        assertThat(closed.path("closed_sessions").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(
                ok(team.asUser("alice", "GET", "/api/v1/r/tasks/" + task, null), 200).path("status").asText()));
        // The agent list is written from the hub's sessions once a second: it shows the agent's return a moment later.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(agentStatus()).isIn("idle", "busy"));
    }

    @Test
    void wrongTokensOtherRolesAndPortsTheAgentDoesNotAllowAreRefused() throws Exception {
        JsonNode opened = open(appPort, "http");
        try {
            String url = opened.path("tunnel_url").asText();
            String forged = url.replaceFirst("\\.[^/]+/$", ".not-the-token/");
            HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(URI.create(forged + "hello")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(404);
            assertThat(WalkingSkeletonIT.json(wrong.body()).path("error_message").asText()).contains("no such tunnel");

            HttpResponse<String> member = team.asUser("dave", "POST", "/api/v1/agents/tunnel-agent/tunnel", "{\"target_port\":" + appPort + "}");
            assertThat(member.statusCode()).as(member.body()).isEqualTo(403);
            HttpResponse<String> port = team.asUser("alice", "POST", "/api/v1/agents/tunnel-agent/tunnel", "{\"target_port\":22}");
            assertThat(port.statusCode()).as(port.body()).isEqualTo(403);
            assertThat(WalkingSkeletonIT.json(port.body()).path("error_message").asText()).contains("does not allow tunnels to port 22");
            HttpResponse<String> bad = team.asUser("alice", "POST", "/api/v1/agents/tunnel-agent/tunnel", "{\"target_port\":70000,\"tunnel_protocol\":\"ftp\"}");
            assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
            assertThat(bad.body()).contains("target_port").contains("tunnel_protocol");
            assertThat(team.asUser("alice", "POST", "/api/v1/agents/no-such-agent/tunnel", "{}").statusCode()).isEqualTo(404);
            // Another team reads the agent as absent.
            TeamFixture other = new TeamFixture(stack, "Tunnels elsewhere");
            assertThat(other.asUser("alice", "GET", "/api/v1/agents/tunnel-agent/tunnel", null).statusCode()).isEqualTo(404);
            assertThat(other.asUser("alice", "DELETE", "/api/v1/agents/tunnel-agent/tunnel", null).body()).contains("\"closed_sessions\":0");
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url + "hello?name=still")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as("another team's close leaves the tunnel open").isEqualTo(200);
            assertThat(other.asUser("alice", "POST", "/api/v1/agents/tunnel-agent/tunnel", "{}").statusCode()).isEqualTo(404);
        } finally {
            ok(team.asUser("alice", "DELETE", "/api/v1/agents/tunnel-agent/tunnel", null), 200);
        }
    }

    @Test
    void aTcpTunnelCarriesPostgreSQLThroughTheAgentJarsLocalListener() throws Exception {
        JsonNode opened = open(stack.ctx.endpoints().pgPort(), "tcp");
        int local = ServiceProcess.freePort();
        ServiceProcess listener = stack.track(ServiceProcess.start("tunnel-client", 0, List.of(ServiceProcess.java(), "-Xmx64m", "-jar",
                stack.root.resolve("agent/target/cyberun-agent.jar").toString(), "tunnel", "--url", opened.path("tunnel_url").asText(),
                "--listen", "127.0.0.1:" + local), Map.of(), stack.logs));
        try {
            listener.awaitLog("listening on", Duration.ofSeconds(30));
            ProcessBuilder command = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", Integer.toString(local), "-U",
                    stack.ctx.endpoints().pgAdminUser(), "-d", "postgres", "-tAc", "select 'through the tunnel: ' || (40 + 2)").redirectErrorStream(true);
            command.environment().put("PGPASSWORD", stack.ctx.endpoints().pgAdminPassword());
            Process psql = command.start();
            String out = new String(psql.getInputStream().readAllBytes()).strip();
            assertThat(psql.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo("through the tunnel: 42");
        } finally {
            listener.close();
            ok(team.asUser("alice", "DELETE", "/api/v1/agents/tunnel-agent/tunnel", null), 200);
        }
    }

    @Test
    void aTunnelWorksThroughAnyHubReplicaAndIsReopenedAfterItsHubDies() throws Exception {
        ServiceProcess hub2 = stack.extraHub();
        // Labelled so no task of this class runs on it (it would take the others' tasks).
        ServiceProcess roaming = stack.agent(new CyberunStack.AgentOptions("roaming-agent", team.ak(), "roaming")
                .tunnelPorts(appPort).hubs(hub2, stack.hub));
        try {
            roam(hub2);
        } finally {
            roaming.close();
        }
    }

    private void roam(ServiceProcess hub2) throws Exception {
        // The gateway reaches the first hub; the agent is on the second: both the opening and the URL are passed on.
        JsonNode opened = open("roaming-agent", appPort, "http");
        String url = opened.path("tunnel_url").asText();
        assertThat(get(url + "hello?name=across")).isEqualTo("200 hello across");
        assertThat(ok(team.asUser("alice", "GET", "/api/v1/agents/roaming-agent/tunnel", null), 200).path("is_active").asBoolean()).isTrue();

        HttpResponse<String> run = WalkingSkeletonIT.call("POST", "/api/v1/r/workflows/slug/demo-render/run", team.sk(),
                "{\"parameters\":{\"prompt\":\"across a hub crash\"}}", Map.of());
        String task = WalkingSkeletonIT.json(run.body()).path("task_id").asText();
        hub2.kill();
        // The agent moves to the first hub; its tunnel ended with its connection, and it can be opened again there.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (JsonNode a : ok(team.asUser("alice", "GET", "/api/v1/agents", null), 200).path("agent_list")) {
                if (a.path("agent_id").asText().equals("roaming-agent")) {
                    return a.path("gateway_id").asText().equals("hub-e2e1") && a.path("agent_status").asText().equals("idle");
                }
            }
            return false;
        });
        assertThat(get(url + "hello?name=stale")).startsWith("404 ");
        String reopened = open("roaming-agent", appPort, "http").path("tunnel_url").asText();
        assertThat(get(reopened + "hello?name=again")).isEqualTo("200 hello again");
        ok(team.asUser("alice", "DELETE", "/api/v1/agents/roaming-agent/tunnel", null), 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(
                ok(team.asUser("alice", "GET", "/api/v1/r/tasks/" + task, null), 200).path("status").asText()));
    }

    static byte[] tenMegabytes() {
        byte[] b = new byte[TEN_MB];
        new Random(42).nextBytes(b);
        return b;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
