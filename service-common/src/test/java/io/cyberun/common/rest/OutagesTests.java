package io.cyberun.common.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The failures a database outage produced in task-service's log, told from the failures that are bugs. */
class OutagesTests {
    @Test
    void aConnectionTheDatabaseDroppedUnderAQueryIsAnOutage() {
        // What pg_terminate_backend did to pooled connections while requests used them.
        assertThat(Outages.isOutage(new SocketException("Connection reset"))).isTrue();
        assertThat(Outages.isOutage(new SocketException("Broken pipe"))).isTrue();
        assertThat(Outages.isOutage(new VertxException("Pending requests failed to be sent due to connection has been closed.", true))).isTrue();
        assertThat(Outages.isOutage(new ClosedChannelException())).isTrue();
        assertThat(Outages.isOutage(new ConnectException("Connection refused: /127.0.0.1:5432"))).isTrue();
        assertThat(Outages.isOutage(new CompletionException(new IllegalStateException("wrapped", new SocketException("Connection reset")))))
                .as("found anywhere in the chain").isTrue();
    }

    @Test
    void aBugIsNotAnOutage() {
        assertThat(Outages.isOutage(new IllegalStateException("a task could not be written as JSON"))).isFalse();
        assertThat(Outages.isOutage(new NullPointerException())).isFalse();
        assertThat(Outages.isOutage(new VertxException("the statement is malformed", true))).isFalse();
        assertThat(Outages.isOutage(new CompletionException(new IllegalArgumentException("bad")))).isFalse();
    }
}
