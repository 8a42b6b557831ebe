package io.cyberun.agent.tunnel;

import io.cyberun.agent.AgentLog;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A {@code tcp} stream: bytes from the hub are written to a connection to the port, and bytes read from it go to
 * the hub, each direction on its own virtual thread; a frame is asked for only once the previous one is written, and
 * the next read waits for the previous send, so neither side buffers more than a frame.
 */
final class TcpRelay implements WebSocket.Listener {
    private final Socket socket;
    private final Runnable used;
    private final Consumer<String> brokeOff;

    /** {@code brokeOff} hears the reason when the other side ends the stream because of a failure. */
    TcpRelay(Socket socket, Runnable used, Consumer<String> brokeOff) {
        this.socket = socket;
        this.used = used;
        this.brokeOff = brokeOff;
    }

    static void start(HttpClient http, URI uri, int port, Runnable used) {
        Thread.ofVirtual().name("tunnel-tcp").start(() -> {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                socket.setTcpNoDelay(true);
            } catch (IOException e) {
                StreamRelay.refuse(http, uri, "nothing answers on port " + port + " of the agent's machine: " + e.getMessage());
                close(socket);
                return;
            }
            TcpRelay relay = new TcpRelay(socket, used, reason -> AgentLog.info("tunnel stream %s ended: %s", uri, reason));
            WebSocket ws;
            try {
                ws = StreamRelay.dial(http, uri, relay);
            } catch (RuntimeException e) {
                AgentLog.warn("tunnel stream %s: could not dial the hub: %s", uri, e.getMessage());
                close(socket);
                return;
            }
            relay.pump(ws);
        });
    }

    /** Socket → WebSocket until the socket's connection ends. */
    void pump(WebSocket ws) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                used.run();
                ws.sendBinary(ByteBuffer.wrap(buffer, 0, n), true).join();
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        } catch (Exception e) {
            if (!ws.isOutputClosed()) {
                ws.sendClose(StreamRelay.FAILED, "the connection to the port failed: " + e.getMessage());
            }
        } finally {
            close(socket);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        try {
            byte[] bytes = StreamRelay.bytes(data);
            socket.getOutputStream().write(bytes);
            used.run();
            webSocket.request(1);
        } catch (IOException e) {
            webSocket.sendClose(StreamRelay.FAILED, "the connection to the port failed: " + e.getMessage());
            close(socket);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (statusCode != WebSocket.NORMAL_CLOSURE && reason != null && !reason.isBlank()) {
            brokeOff.accept(reason);
        }
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            close(socket);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        close(socket);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
