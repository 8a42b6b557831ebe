package io.cyberun.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.cyberun.contracts.agent.AgentTimings;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "cyberun.scheduler")
public interface SchedulerConfig {

    /** Overrides {@link AgentTimings#ACK_TIMEOUT} (tests shorten it). */
    @io.smallrye.config.WithName("ack-timeout")
    Optional<Duration> ackTimeoutOverride();

    /** How long a dispatch may stay unacknowledged before it goes back to the queue. */
    default Duration ackTimeout() {
        return ackTimeoutOverride().orElse(AgentTimings.ACK_TIMEOUT);
    }

    /** How many waiting tasks of a team one pass tries to place when capacity frees up. */
    @WithDefault("200")
    int waitingBatch();
}
