package io.cyberun.common.messaging;

import io.cyberun.contracts.Topic;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.EventCodec;
import io.cyberun.contracts.events.EventData;
import io.cyberun.contracts.events.EventFamily;
import io.cyberun.contracts.events.InvalidEventException;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.json.CyberunJson;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a record's value as a Cyberun CloudEvent of the family its topic carries. A value that is not one throws, and the
 * channel's {@code value-deserialization-failure-handler} ({@link DeadLetterOnReadFailure}) sends it to the topic's
 * dead-letter twin; the consumer then gets {@code null} for it. One subclass per family, named in a channel's
 * {@code value.deserializer}.
 */
public class EventDeserializer<T extends EventData> implements Deserializer<T> {
    private static final EventCodec CODEC = new EventCodec(CyberunJson.mapper());
    private final EventFamily<? extends T> family;

    /** A deserializer of one family, whatever the topic. */
    protected EventDeserializer(EventFamily<? extends T> family) {
        this.family = family;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return CODEC.read(family(topic), data);
        } catch (InvalidEventException e) {
            throw new SerializationException(e.getMessage(), e);
        }
    }

    /** The family the topic carries. */
    protected EventFamily<? extends T> family(String topic) {
        return family;
    }

    /** {@code task-events}. */
    public static class TaskEvents extends EventDeserializer<TaskEvent> {
        public TaskEvents() {
            super(TaskEvent.FAMILY);
        }
    }

    /** {@code agent-events}. */
    public static class AgentEvents extends EventDeserializer<AgentEvent> {
        public AgentEvents() {
            super(AgentEvent.FAMILY);
        }
    }

    /** {@code agent-commands}. */
    public static class AgentCommands extends EventDeserializer<AgentCommand> {
        public AgentCommands() {
            super(AgentCommand.FAMILY);
        }
    }

    /** task-service's inbox: transition requests on {@code task-transitions}, reports on {@code task-progress}. */
    public static class TaskInbox extends EventDeserializer<EventData> {
        public TaskInbox() {
            super(TaskTransition.FAMILY);
        }

        @Override
        protected EventFamily<? extends EventData> family(String topic) {
            return topic.endsWith(Topic.TASK_PROGRESS.topicName()) ? ProgressReport.FAMILY : TaskTransition.FAMILY;
        }
    }
}
