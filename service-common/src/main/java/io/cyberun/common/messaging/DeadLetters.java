package io.cyberun.common.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Where a record nobody can read goes: its topic's dead-letter twin ({@code <topic>-dlq}), with its value and headers
 * and the reason (the headers the connector's own dead-letter strategy uses). A service whose channels use
 * {@link DeadLetterOnReadFailure} configures the outgoing channel {@code dead-letters} (bytes).
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final MutinyEmitter<byte[]> emitter;

    public DeadLetters(@Channel("dead-letters") MutinyEmitter<byte[]> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> send(String topic, byte[] value, Headers original, Throwable reason) {
        LOG.warnf("a record of %s is not a readable event and goes to %s-dlq: %s", topic, topic, reason.getMessage());
        RecordHeaders headers = new RecordHeaders();
        if (original != null) {
            for (Header h : original) {
                headers.add(h);
            }
        }
        headers.add("dead-letter-reason", String.valueOf(reason.getMessage()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", topic.getBytes(StandardCharsets.UTF_8));
        return emitter.sendMessage(Message.of(value == null ? new byte[0] : value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(topic + "-dlq").withHeaders(headers).build()));
    }
}
