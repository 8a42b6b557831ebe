package io.cyberun.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A relayed socket is finished only after the messages it received before closing: the hub's tunnel relay ended an
 * answer on the close of its agent stream while frames before that close still waited in the paused socket.
 */
class WebSocketRelayTests {
    Vertx vertx;
    int port;
    final CompletableFuture<ServerWebSocket> accepted = new CompletableFuture<>();
    final List<Integer> received = new CopyOnWriteArrayList<>();
    /** How many messages had been handled when the relay was told the socket is finished. */
    final CompletableFuture<Integer> finishedAfter = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> {
            ws.pause(); // as a relay does while the other side's write queue is full
            ws.binaryMessageHandler(b -> received.add((int) b.getByte(0)));
            WebSocketRelay.afterLastMessage(ws, v -> finishedAfter.complete(received.size()));
            accepted.complete(ws);
        });
        port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    WebSocket dial() throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), new WebSocket.Listener() {
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCloseFrameIsActedOnAfterTheMessagesThatCameBeforeIt() throws Exception {
        WebSocket client = dial();
        for (int i = 0; i < 5; i++) {
            client.sendBinary(ByteBuffer.wrap(new byte[] {(byte) i}), true).get(10, TimeUnit.SECONDS);
        }
        client.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        ServerWebSocket ws = accepted.get(10, TimeUnit.SECONDS);
        // The close frame has arrived (Vert.x has recorded its code) while the five messages wait in the paused socket.
        CompletableFuture<Void> closeSeen = new CompletableFuture<>();
        vertx.setPeriodic(5, id -> {
            if (ws.closeStatusCode() != null) {
                vertx.cancelTimer(id);
                closeSeen.complete(null);
            }
        });
        closeSeen.get(10, TimeUnit.SECONDS);
        assertThat(finishedAfter).as("not finished while messages before the close wait").isNotDone();
        assertThat(received).isEmpty();

        ws.resume();
        assertThat(finishedAfter.get(10, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(received).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aDroppedConnectionIsActedOnAtOnceEvenWhilePaused() throws Exception {
        WebSocket client = dial();
        client.sendBinary(ByteBuffer.wrap(new byte[] {7}), true).get(10, TimeUnit.SECONDS);
        accepted.get(10, TimeUnit.SECONDS);
        client.abort(); // no close frame: no end will come, so waiting for one would hang the relay

        assertThat(finishedAfter.get(10, TimeUnit.SECONDS)).isZero();
    }
}
