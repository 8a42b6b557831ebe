package io.cyberun.contracts.protocol;

/** Constants of the agent WebSocket protocol. */
public final class AgentProtocol {
    /** The protocol version this build speaks; a hello with another major version is refused. */
    public static final int VERSION = 1;
    /** Where agents connect on agent-hub. */
    public static final String PATH = "/agent/v1/connect";

    private AgentProtocol() {
    }
}
