import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Watches {@code task-events} on Kafka from its end, as an observer of what the platform has recorded: every event
 * there was committed by task-service. A benchmark uses it to stamp when a task was recorded {@code completed}
 * without opening a stream per task (which would load the gateway it measures).
 */
final class TaskEventWatch implements AutoCloseable {
    /** Called on the watch's thread for each task event: the task, its CloudEvents type suffix, and when it was read. */
    interface Listener {
        void event(UUID taskId, String type, long readNanos);
    }

    /**
     * Called for each event of a family: its CloudEvents type suffix, the record's timestamp (when its producer was
     * handed it, in epoch milliseconds of this machine's clock), when this watch read it from the broker (a few
     * milliseconds after the broker had it), and the raw event.
     */
    interface RecordListener {
        void event(String type, long producedMillis, long readMillis, String value);
    }

    private static final String TYPE_PREFIX = "io.cyberun.task.";

    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    TaskEventWatch(String bootstrap, String topic, Listener listener) {
        this(bootstrap, topic, TYPE_PREFIX, (type, produced, read, value) -> {
            String subject = field(value, "subject");
            if (subject != null) {
                listener.event(UUID.fromString(subject), type, System.nanoTime());
            }
        });
    }

    /** Watches any topic of CloudEvents from its end, passing on the events whose type starts with {@code typePrefix}. */
    TaskEventWatch(String bootstrap, String topic, String typePrefix, RecordListener listener) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        // The broker answers a fetch as soon as a record is there (fetch.min.bytes 1): a short wait would only add empty
        // fetches (200/s each at 5 ms) to the broker and the cores being measured.
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = Thread.ofPlatform().daemon().name("event-watch-" + topic).start(() -> {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(50));
                long read = System.currentTimeMillis();
                for (ConsumerRecord<String, String> r : records) {
                    String type = field(r.value(), "type");
                    if (type != null && type.startsWith(typePrefix)) {
                        listener.event(type.substring(typePrefix.length()), r.timestamp(), read, r.value());
                    }
                }
            }
            consumer.close();
        });
    }

    /** A top-level string attribute of the CloudEvent, without parsing the whole event (its data may be large). */
    static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\"");
        if (at < 0) {
            return null;
        }
        int open = json.indexOf('"', json.indexOf(':', at) + 1);
        return open < 0 ? null : json.substring(open + 1, json.indexOf('"', open + 1));
    }

    @Override
    public void close() {
        running = false;
    }
}
