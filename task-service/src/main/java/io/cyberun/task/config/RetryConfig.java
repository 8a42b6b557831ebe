package io.cyberun.task.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long a failed attempt's task waits before its retry is dispatched. */
@ConfigMapping(prefix = "cyberun.tasks.retry-backoff")
public interface RetryConfig {

    /** The wait before the first retry; each further retry waits twice the one before. */
    @WithDefault("PT2S")
    Duration initial();

    /** The longest wait, however many retries came before. */
    @WithDefault("PT1M")
    Duration max();
}
