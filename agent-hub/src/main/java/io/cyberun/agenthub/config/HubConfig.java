package io.cyberun.agenthub.config;

import io.cyberun.contracts.agent.AgentTimings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/** Settings of agent-hub; the protocol's timings default to {@link AgentTimings}. */
@ConfigMapping(prefix = "cyberun.hub")
public interface HubConfig {

    /** Overrides {@link AgentTimings#SILENCE_LIMIT} (tests shorten it). */
    @WithName("silence-limit")
    Optional<Duration> silenceLimitOverride();

    /** Overrides {@link AgentTimings#HEARTBEAT_INTERVAL}. */
    @WithName("heartbeat-interval")
    Optional<Duration> heartbeatIntervalOverride();

    /**
     * How the other hub replicas reach this one (a tunnel's requests go to the replica that holds the agent's
     * connection); default: this host's address and the HTTP port. The Helm chart sets the pod's IP.
     */
    @WithName("advertised-url")
    Optional<String> advertisedUrl();

    default Duration silenceLimit() {
        return silenceLimitOverride().orElse(AgentTimings.SILENCE_LIMIT);
    }

    default Duration heartbeatInterval() {
        return heartbeatIntervalOverride().orElse(AgentTimings.HEARTBEAT_INTERVAL);
    }
}
