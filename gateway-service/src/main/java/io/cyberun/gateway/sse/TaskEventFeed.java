package io.cyberun.gateway.sse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.stream.TaskStreamEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Every gateway replica reads every task event (each has its own consumer group, from the latest offset) and
 * hands it to its own subscribers; events of tasks nobody watches here are skipped before decoding.
 */
@ApplicationScoped
public class TaskEventFeed {
    private final TaskStreams streams;
    private final EventMessages messages;
    private final ObjectMapper json;

    public TaskEventFeed(TaskStreams streams, EventMessages messages, ObjectMapper json) {
        this.streams = streams;
        this.messages = messages;
        this.json = json;
    }

    /** A polled batch at a time; a value stays bytes unless someone here watches its task. */
    @Incoming("task-events")
    public void consume(ConsumerRecords<String, byte[]> batch) {
        for (ConsumerRecord<String, byte[]> record : batch) {
            UUID task;
            try {
                task = UUID.fromString(record.key());
            } catch (RuntimeException e) {
                continue;
            }
            if (!streams.hasSubscribers(task)) {
                continue;
            }
            try {
                TaskEvent event = messages.codec().read(TaskEvent.FAMILY, new String(record.value(), StandardCharsets.UTF_8));
                streams.deliver(task, TaskStreamEvent.of(event, json));
            } catch (RuntimeException e) {
                // An unreadable event reaches no subscriber; task-service's own log still serves replays.
            }
        }
    }
}
