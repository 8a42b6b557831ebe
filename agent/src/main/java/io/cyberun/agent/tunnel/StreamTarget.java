package io.cyberun.agent.tunnel;

/**
 * Where a stream's requests go: {@code base} ({@code http://127.0.0.1:<port>}, or the https URL an external service
 * fronts) and, for an external service, the {@code Authorization} value the agent attaches (it never leaves this
 * machine otherwise). {@code describe} names it in errors.
 */
public record StreamTarget(String base, String authorization, String describe) {

    /** A port of this machine. */
    public static StreamTarget port(int port) {
        return new StreamTarget("http://127.0.0.1:" + port, null, "port " + port + " of the agent's machine");
    }

    /** The WebSocket form of the base URL. */
    String webSocketBase() {
        return base.replaceFirst("^http", "ws");
    }
}
