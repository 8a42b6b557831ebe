package io.cyberun.common.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Where a batch consumer puts a record it cannot read: the record's topic's dead-letter twin ({@code <topic>-dlq}),
 * with the record's key, value and headers and the reason (the headers the connector's own dead-letter strategy
 * uses), so one poison record never holds up the batch it came in. A service that consumes in batches configures
 * the outgoing channel {@code dead-letters}.
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final MutinyEmitter<String> emitter;

    public DeadLetters(@Channel("dead-letters") MutinyEmitter<String> emitter) {
        this.emitter = emitter;
    }

    /** A record and why it could not be read. */
    public record Unreadable(ConsumerRecord<String, String> record, Throwable reason) {
    }

    public Uni<Void> send(List<Unreadable> unreadable) {
        if (unreadable.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(unreadable.stream().map(this::send).toList()).andFailFast().replaceWithVoid();
    }

    private Uni<Void> send(Unreadable u) {
        ConsumerRecord<String, String> r = u.record();
        LOG.warnf("a record of %s (partition %d, offset %d) is not a readable event and goes to %s-dlq: %s", r.topic(), r.partition(),
                r.offset(), r.topic(), u.reason().getMessage());
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.headers()) {
            headers.add(h);
        }
        headers.add("dead-letter-reason", String.valueOf(u.reason().getMessage()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", r.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
        return emitter.sendMessage(Message.of(r.value() == null ? "" : r.value()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(r.topic() + "-dlq").withKey(r.key()).withHeaders(headers).build()));
    }
}
