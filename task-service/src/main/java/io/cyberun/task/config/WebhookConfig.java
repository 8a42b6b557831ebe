package io.cyberun.task.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Webhook delivery. */
@ConfigMapping(prefix = "cyberun.webhooks")
public interface WebhookConfig {

    /**
     * Hosts ({@code host} or {@code host:port}) a webhook may use although they are not public HTTPS endpoints: plain
     * {@code http://} and private, loopback or link-local addresses are allowed for these only. For local testing;
     * empty in production.
     */
    Optional<List<String>> allowedHosts();

    /** How long one delivery attempt waits for the receiver's answer. */
    @WithDefault("PT10S")
    Duration timeout();

    /** When each attempt is made, counted from the event (the first) or the previous failure; four attempts. */
    @WithDefault("PT0S,PT5S,PT30S,PT2M")
    List<Duration> attemptDelays();
}
