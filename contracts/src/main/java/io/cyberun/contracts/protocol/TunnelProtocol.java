package io.cyberun.contracts.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tunnels: streams of bytes between a client of the gateway and a port on an agent's machine.
 * <p>
 * Each stream is its own WebSocket, which the agent dials to the hub when asked ({@link HubMessage.StreamOpen}), at
 * {@link #STREAM_PATH}{@code <stream id>}; the id is a single-use secret the hub gave over the agent's authenticated
 * connection, valid for {@link #DIAL_SECONDS} seconds. A stream per connection keeps flow control where TCP already
 * does it: a slow stream fills its own socket's window, never the agent's control connection or another stream.
 * <p>
 * What a stream carries depends on its {@link StreamKind}:
 * <ul>
 *   <li>{@code tcp}: binary frames both ways are the bytes; a close is the end of the connection.</li>
 *   <li>{@code http}: the hub sends a {@link RequestHead} text frame, the request body as binary frames, then the
 *   {@link #END} text frame; the agent answers a {@link ResponseHead} text frame, the response body as binary
 *   frames, and closes the stream (normal closure: the body is complete; any other code: it failed midway). A
 *   {@code reusable} stream ends a complete exchange with an {@link #END} text frame instead, when the request body had
 *   ended too, and waits for the next {@link RequestHead}: container calls reuse streams, so a call dials nothing.</li>
 *   <li>{@code websocket}: the hub sends a {@link RequestHead} (the upgrade request); the agent opens a WebSocket to
 *   the port and answers a {@link ResponseHead} (101 and the chosen subprotocol, or the refusal); then each message
 *   is relayed as a message of the same kind, and a close as a close.</li>
 * </ul>
 */
public final class TunnelProtocol {
    public static final String STREAM_PATH = "/agent/v1/streams/";
    public static final int DIAL_SECONDS = 10;
    /** The text frame that ends an {@code http} stream's request body. */
    public static final String END = "{\"end\":true}";
    /**
     * A {@link HubMessage.StreamOpen} whose session is {@code replica:<replica id>} is for a container replica the agent
     * runs: the stream goes to that replica (its port, or the external URL it fronts), not to a tunnel session.
     */
    public static final String REPLICA_PREFIX = "replica:";
    /** The largest frame a stream carries: the hub accepts frames up to this size (Vert.x's default is 64 KB). */
    public static final int MAX_FRAME_BYTES = 256 * 1024;

    private TunnelProtocol() {
    }

    /** The constant whose lower-case name is {@code value}, or null. */
    static <E extends Enum<E>> E wire(E[] values, String value) {
        for (E e : values) {
            if (e.name().toLowerCase(Locale.ROOT).equals(value)) {
                return e;
            }
        }
        return null;
    }

    /** What a tunnel session relays: HTTP (and WebSocket) to a web app, or raw TCP. */
    public enum Kind {
        HTTP, TCP;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Kind fromWire(String value) {
            return wire(values(), value);
        }
    }

    /** What one stream carries. */
    public enum StreamKind {
        HTTP, WEBSOCKET, TCP;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static StreamKind fromWire(String value) {
            return wire(values(), value);
        }
    }

    /** An HTTP request (or WebSocket upgrade) for the agent to make to its port; {@code path} includes the query. */
    public record RequestHead(String method, String path, Map<String, List<String>> headers) {
        public RequestHead {
            headers = headers == null ? Map.of() : headers;
        }
    }

    /** The answer of the agent's port (or the agent's own refusal, with a reason in {@code error}). */
    public record ResponseHead(int status, Map<String, List<String>> headers, String error) {
        public ResponseHead {
            headers = headers == null ? Map.of() : headers;
        }
    }
}
