package io.cyberun.common.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.apache.kafka.common.header.Headers;

/**
 * The failure policy of every Cyberun consumer for a record that is not a readable event, configured on the channel
 * ({@code mp.messaging.incoming.<channel>.value-deserialization-failure-handler=dead-letter}): the record goes to its
 * topic's dead-letter twin and the consumer receives {@code null} in its place, so one poison record never holds up a
 * partition; retrying could not help. The send is awaited (on the consumer's polling thread) before the record is
 * handed on, so its offset is never stored before the record is safe. Failures of the work itself (the database or a
 * broker down) are a different matter: they are retried until they pass ({@link Redelivery}).
 */
@ApplicationScoped
@Identifier(DeadLetterOnReadFailure.NAME)
public class DeadLetterOnReadFailure implements DeserializationFailureHandler<Object> {
    public static final String NAME = "dead-letter";
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final DeadLetters deadLetters;

    public DeadLetterOnReadFailure(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public Object handleDeserializationFailure(String topic, boolean isKey, String deserializer, byte[] data, Exception exception,
                                               Headers headers) {
        deadLetters.send(topic, data, headers, exception).await().atMost(SEND_TIMEOUT);
        return null;
    }
}
