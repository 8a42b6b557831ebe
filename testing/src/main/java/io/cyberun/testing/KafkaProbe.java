package io.cyberun.testing;

import io.cyberun.contracts.Topic;
import io.cyberun.contracts.events.EventCodec;
import io.cyberun.contracts.events.EventData;
import io.cyberun.contracts.events.EventFamily;
import io.cyberun.contracts.json.CyberunJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Tests talk to the real broker in the namespace's topics: publish events, and wait for the ones they expect. */
public final class KafkaProbe implements AutoCloseable {
    private final Namespace namespace;
    private final EventCodec codec = new EventCodec(CyberunJson.mapper());
    private final KafkaProducer<String, String> producer;
    private final List<KafkaConsumer<String, String>> consumers = new ArrayList<>();

    public KafkaProbe(Namespace namespace) {
        this.namespace = namespace;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, namespace.endpoints().kafkaBootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p);
    }

    public <T extends EventData> void publish(Topic topic, EventFamily<T> family, T event) {
        try {
            producer.send(new ProducerRecord<>(namespace.topicPrefix() + topic.topicName(), event.key(),
                    codec.encode(family, event, "test"))).get();
        } catch (Exception e) {
            throw new IllegalStateException("publishing to " + topic.topicName() + " failed", e);
        }
    }

    /** Publishes raw text (for unreadable-message tests). */
    public void publishRaw(Topic topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(namespace.topicPrefix() + topic.topicName(), key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A reader of a topic from its current end: only events published after this call are seen. */
    public <T extends EventData> Reader<T> reader(Topic topic, EventFamily<T> family) {
        return reader(namespace.topicPrefix() + topic.topicName(), family);
    }

    public <T extends EventData> Reader<T> readerOfDeadLetters(Topic topic, EventFamily<T> family) {
        return reader(namespace.topicPrefix() + topic.deadLetterTopicName(), family);
    }

    private <T extends EventData> Reader<T> reader(String topicName, EventFamily<T> family) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, namespace.endpoints().kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, namespace.topicPrefix() + "probe-" + UUID.randomUUID());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(topicName));
        // Join the group and fix the starting offsets now, so later events are not missed.
        Instant deadline = Instant.now().plusSeconds(30);
        while (consumer.assignment().isEmpty() && Instant.now().isBefore(deadline)) {
            consumer.poll(Duration.ofMillis(100));
        }
        consumer.assignment().forEach(consumer::position);
        consumers.add(consumer);
        return new Reader<>(consumer, family, codec);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumers.forEach(c -> c.close(Duration.ofSeconds(5)));
    }

    /** Reads one topic's events, decoded. */
    public static final class Reader<T extends EventData> {
        private final KafkaConsumer<String, String> consumer;
        private final EventFamily<T> family;
        private final EventCodec codec;
        private final List<T> seen = new ArrayList<>();
        private final List<String> raw = new ArrayList<>();

        Reader(KafkaConsumer<String, String> consumer, EventFamily<T> family, EventCodec codec) {
            this.consumer = consumer;
            this.family = family;
            this.codec = codec;
        }

        /** Waits for the first event (seen now or earlier) that matches; fails after the timeout. */
        public <E extends T> E await(Class<E> type, Predicate<E> matches, Duration timeout) {
            Instant deadline = Instant.now().plus(timeout);
            int checked = 0;
            while (true) {
                for (; checked < seen.size(); checked++) {
                    T e = seen.get(checked);
                    if (type.isInstance(e) && matches.test(type.cast(e))) {
                        return type.cast(e);
                    }
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("no " + type.getSimpleName() + " matching within " + timeout.toSeconds() + " s; saw " + seen);
                }
                poll();
            }
        }

        /** Everything read so far (after polling for {@code wait}). */
        public List<T> drain(Duration wait) {
            Instant deadline = Instant.now().plus(wait);
            while (Instant.now().isBefore(deadline)) {
                poll();
            }
            return List.copyOf(seen);
        }

        /** Raw values read so far (for dead-letter checks). */
        public List<String> raw(Duration wait) {
            drain(wait);
            return List.copyOf(raw);
        }

        private void poll() {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                raw.add(r.value());
                try {
                    seen.add(codec.decode(family, r.value()).data());
                } catch (RuntimeException e) {
                    // not an event of this family (dead letters are often not): kept in raw only
                }
            }
        }
    }
}
