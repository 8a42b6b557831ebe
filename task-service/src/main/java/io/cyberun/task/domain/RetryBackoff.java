package io.cyberun.task.domain;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The wait before retry {@code n} (1-based): {@code initial × 2^(n-1)}, at most {@code max}, plus up to a fifth more at
 * random, so the tasks an agent's loss sent back at once do not all come back at once.
 */
public record RetryBackoff(Duration initial, Duration max) {

    public Duration before(int retry, DoubleSupplier random) {
        double doubled = initial.toMillis() * Math.pow(2, Math.max(0, Math.min(retry - 1, 30)));
        long wait = (long) Math.min(max.toMillis(), doubled);
        return Duration.ofMillis(wait + Math.round(wait * 0.2 * random.getAsDouble()));
    }
}
