package io.cyberun.common.messaging;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * How consumers treat a failure that is not the message's fault (the database or a broker is down): the work is
 * retried with back-off (100 ms doubling to 5 s) until it passes, holding its partitions so that order is kept and
 * nothing is dropped; an outage delays events, it never loses them. Unreadable messages never get here: consumers
 * send them to the dead-letter topic ({@link DeadLetters}) as soon as they see them.
 */
public final class Redelivery {
    private static final Logger LOG = Logger.getLogger(Redelivery.class);

    private Redelivery() {
    }

    public static <T> Uni<T> untilDone(Uni<T> work, String what) {
        return work.onFailure().invoke(e -> LOG.warnf("%s failed, retrying: %s", what, e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).indefinitely();
    }
}
