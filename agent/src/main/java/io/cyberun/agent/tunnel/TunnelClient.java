package io.cyberun.agent.tunnel;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The client side of a {@code tcp} tunnel: {@code cyberun-agent tunnel --url <tunnel_url> --listen 127.0.0.1:15432}
 * listens on a local port and carries each connection made to it over a WebSocket to the tunnel URL, so {@code psql},
 * {@code ssh} and the like reach the port on the agent's machine. Each connection has its own WebSocket (and its own
 * flow control).
 */
public final class TunnelClient {
    private final URI url;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(10)).build();

    public TunnelClient(URI url, PrintStream out) {
        this.url = url;
        this.out = out;
    }

    /** {@code http(s)://host/tunnel/<session>.<token>/} as the API gave it, or its ws(s) form. */
    public static URI webSocketUrl(String tunnelUrl) {
        URI u = URI.create(tunnelUrl.strip());
        String scheme = switch (u.getScheme() == null ? "" : u.getScheme()) {
            case "http", "ws" -> "ws";
            case "https", "wss" -> "wss";
            default -> throw new IllegalArgumentException("--url must be the tunnel_url the API returned (http:// or https://), not " + tunnelUrl);
        };
        if (u.getPath() == null || !u.getPath().startsWith("/tunnel/")) {
            throw new IllegalArgumentException("--url must be a tunnel URL (…/tunnel/<session>.<token>/), not " + tunnelUrl);
        }
        return URI.create(scheme + "://" + u.getRawAuthority() + u.getRawPath());
    }

    /** Listens until the process ends; each accepted connection is relayed on a virtual thread. */
    public void listen(InetSocketAddress address) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(address);
            out.printf("listening on %s:%d; connections go through %s%n", address.getHostString(), server.getLocalPort(), redacted());
            while (true) {
                Socket socket = server.accept();
                Thread.ofVirtual().name("tunnel-client").start(() -> carry(socket));
            }
        }
    }

    /** One local connection over one WebSocket, both ways, until either side ends. */
    void carry(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            TcpRelay relay = new TcpRelay(socket, () -> { }, reason -> out.println("tunnel connection closed: " + reason));
            relay.pump(http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(url, relay).join());
        } catch (IOException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof WebSocketHandshakeException refused) {
                out.printf("the tunnel refused the connection (HTTP %d): %s%n", refused.getResponse().statusCode(),
                        refused.getResponse().body());
            } else {
                out.println("could not reach the tunnel: " + cause.getMessage());
            }
            close(socket);
        }
    }

    private String redacted() {
        String s = url.toString();
        int dot = s.indexOf('.', s.indexOf("/tunnel/"));
        return dot < 0 ? s : s.substring(0, dot + 1) + "…";
    }

    /** {@code host:port} (host optional: loopback). */
    public static InetSocketAddress address(String listen) throws IOException {
        int colon = listen.lastIndexOf(':');
        String host = colon <= 0 ? "127.0.0.1" : listen.substring(0, colon);
        int port = Integer.parseInt(listen.substring(colon + 1));
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
