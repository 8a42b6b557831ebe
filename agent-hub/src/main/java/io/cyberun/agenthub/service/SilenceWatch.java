package io.cyberun.agenthub.service;

import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.config.HubConfig;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.contracts.agent.AgentTimings;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Drops agents that stay silent: an open connection without a message for the silence limit
 * ({@link AgentTimings#SILENCE_LIMIT} by default) is
 * closed, and an agent whose connection closed and that did not come back within the limit is dropped (its tasks
 * are then failed or retried). An agent that reconnects in time keeps its tasks.
 */
@ApplicationScoped
public class SilenceWatch {
    /** A connection must say hello this soon. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);

    private final AgentConnections connections;
    private final AgentProtocolHandler handler;
    private final HubConfig config;
    private final Clock clock;

    public SilenceWatch(AgentConnections connections, AgentProtocolHandler handler, HubConfig config, Clock clock) {
        this.connections = connections;
        this.handler = handler;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        Instant now = clock.instant();
        Duration limit = config.silenceLimit();
        Instant silentSince = now.minus(limit);
        List<AgentSession> sessions = List.copyOf(connections.sessions());
        return Multi.createFrom().iterable(sessions)
                .onItem().transformToUniAndConcatenate(s -> {
                    if (!s.lastSeen().isBefore(silentSince)) {
                        return Uni.createFrom().voidItem();
                    }
                    if (!s.closed()) {
                        s.markClosed();
                        return s.connection().close().onFailure().recoverWithNull()
                                .call(() -> handler.drop(s, "no heartbeat for " + limit.toSeconds() + " s"));
                    }
                    return handler.drop(s, "connection lost and not re-established within " + limit.toSeconds() + " s");
                })
                .collect().last()
                .replaceWithVoid();
    }
}
