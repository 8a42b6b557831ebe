package io.cyberun.agent.hub;

import java.net.http.WebSocketHandshakeException;

/**
 * Why opening a connection to the hub failed, told as the operator needs it: a refused key ends the agent (trying
 * again cannot help), anything else is worth another try.
 *
 * @param keyRefused the hub answered the upgrade 401 or 403
 * @param message what to print
 */
public record ConnectFailure(boolean keyRefused, String message) {

    public static ConnectFailure of(Throwable e) {
        WebSocketHandshakeException refused = handshakeRefusal(e);
        if (refused == null) {
            Throwable cause = rootCause(e);
            return new ConnectFailure(false, "cannot reach the hub: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        }
        int status = refused.getResponse().statusCode();
        if (status == 401 || status == 403) {
            return new ConnectFailure(true, "the hub refused the agent key (HTTP " + status
                    + "): check --key / CYBERUN_AGENT_KEY; it must be an active ak- key");
        }
        Object body = refused.getResponse().body();
        return new ConnectFailure(false, "the hub refused the connection (HTTP " + status + ")" + (body == null ? "" : ": " + body)
                + "; trying again");
    }

    /** The hub's refusal of the upgrade, wherever it sits in the chain (the JDK wraps it, and gives it a cause of its own). */
    static WebSocketHandshakeException handshakeRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof WebSocketHandshakeException refused) {
                return refused;
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
