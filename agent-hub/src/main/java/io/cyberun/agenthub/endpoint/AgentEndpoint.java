package io.cyberun.agenthub.endpoint;

import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.security.AgentKeyIdentityProvider;
import io.cyberun.agenthub.service.AgentProtocolHandler;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.AgentProtocol;
import io.cyberun.contracts.protocol.HubMessage;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.TextDecodeException;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Where agents connect: {@code Authorization: Bearer ak-...} is checked before the upgrade (anything else gets
 * 401), then the connection speaks the JSON protocol of {@code contracts}, one message at a time.
 */
@WebSocket(path = AgentProtocol.PATH)
@Authenticated
public class AgentEndpoint {
    private static final Logger LOG = Logger.getLogger(AgentEndpoint.class);

    private final AgentConnections connections;
    private final AgentProtocolHandler handler;
    private final SecurityIdentity identity;
    private final Clock clock;

    public AgentEndpoint(AgentConnections connections, AgentProtocolHandler handler, SecurityIdentity identity, Clock clock) {
        this.connections = connections;
        this.handler = handler;
        this.identity = identity;
        this.clock = clock;
    }

    @OnOpen
    public void open(WebSocketConnection connection) {
        UUID team = identity.getAttribute(AgentKeyIdentityProvider.TEAM);
        UUID credential = identity.getAttribute(AgentKeyIdentityProvider.CREDENTIAL);
        connections.opened(new AgentSession(connection, team, credential, clock.instant()));
    }

    @OnTextMessage
    public Uni<Void> message(WebSocketConnection connection, AgentMessage message) {
        return connections.byConnection(connection.id())
                .map(session -> handler.handle(session, message))
                .orElseGet(() -> connection.close());
    }

    @OnClose
    public void close(WebSocketConnection connection) {
        connections.byConnection(connection.id()).ifPresent(handler::closed);
    }

    @OnError
    public Uni<Void> error(WebSocketConnection connection, Throwable failure) {
        if (failure instanceof TextDecodeException) {
            return connection.sendText(new HubMessage.Refusal("bad_message",
                    "not a message of protocol " + AgentProtocol.VERSION + ": " + failure.getMessage()));
        }
        LOG.warnf(failure, "error on agent connection %s", connection.id());
        return Uni.createFrom().voidItem();
    }
}
