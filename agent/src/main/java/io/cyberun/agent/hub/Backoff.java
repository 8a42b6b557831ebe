package io.cyberun.agent.hub;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** The wait before the next connection attempt: doubling from a minimum up to a maximum, each wait jittered ±50 %. */
public final class Backoff {
    private final Duration min;
    private final Duration max;
    private Duration current;

    public Backoff(Duration min, Duration max) {
        this.min = min;
        this.max = max;
        this.current = min;
    }

    /** A connection was made: the next failure waits the minimum again. */
    public void reset() {
        current = min;
    }

    /** The milliseconds to wait now; the next wait doubles. */
    public long next() {
        long jittered = (long) (current.toMillis() * (0.5 + ThreadLocalRandom.current().nextDouble()));
        current = current.multipliedBy(2).compareTo(max) > 0 ? max : current.multipliedBy(2);
        return jittered;
    }
}
