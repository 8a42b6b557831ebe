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

    private static final String TYPE_PREFIX = "io.cyberun.task.";

    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    TaskEventWatch(String bootstrap, String topic, Listener listener) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("fetch.max.wait.ms", "5");
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = Thread.ofPlatform().daemon().name("task-event-watch").start(() -> {
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    String type = field(r.value(), "type");
                    String subject = field(r.value(), "subject");
                    if (type != null && subject != null && type.startsWith(TYPE_PREFIX)) {
                        listener.event(UUID.fromString(subject), type.substring(TYPE_PREFIX.length()), now);
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
