package io.cyberun.common.messaging;

import io.cyberun.contracts.events.InvalidEventException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * How consumers treat failures: a message that is not a readable event goes to the dead-letter topic at once;
 * any other failure (a database or broker hiccup) is retried with back-off for about a minute, holding the
 * partition so order is kept, before the message is dead-lettered.
 */
public final class Redelivery {
    static final int ATTEMPTS = 15;

    private Redelivery() {
    }

    public static <T> Uni<T> withRetries(Uni<T> work) {
        return work.onFailure(e -> !(e instanceof InvalidEventException))
                .retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).atMost(ATTEMPTS);
    }
}
