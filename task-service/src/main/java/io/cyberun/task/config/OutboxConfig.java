package io.cyberun.task.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The task event relay. */
@ConfigMapping(prefix = "cyberun.outbox")
public interface OutboxConfig {

    /**
     * Stops publishing task events (they keep being written to the log and wait there), e.g. during Kafka
     * maintenance; everything held back is published once it is false again.
     */
    @WithDefault("false")
    boolean paused();
}
