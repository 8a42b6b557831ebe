package io.cyberun.scheduler.messaging;

import io.cyberun.common.messaging.EventDeserializer;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.events.TaskEvent;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The task events the scheduler acts on. Progress and log events (most of the topic) change nothing it holds: they are
 * passed over by their type header without being parsed and arrive as {@code null}, like an unreadable record.
 */
public class SchedulingEventDeserializer extends EventDeserializer.TaskEvents {
    static final Set<String> IGNORED = Set.of(TaskEvent.FAMILY.typeOf(TaskEvent.Progressed.class), TaskEvent.FAMILY.typeOf(TaskEvent.Logged.class));

    @Override
    public TaskEvent deserialize(String topic, Headers headers, byte[] data) {
        Header type = headers == null ? null : headers.lastHeader(EventMessages.TYPE_HEADER);
        if (type != null && IGNORED.contains(new String(type.value(), StandardCharsets.UTF_8))) {
            return null;
        }
        TaskEvent event = super.deserialize(topic, headers, data);
        return event instanceof TaskEvent.Progressed || event instanceof TaskEvent.Logged ? null : event;
    }
}
