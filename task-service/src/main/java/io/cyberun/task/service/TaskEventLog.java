package io.cyberun.task.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.events.EventEnvelope;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.task.model.Task;
import io.cyberun.task.model.TaskEventRecord;
import io.cyberun.task.repository.TaskEventRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Appends events to a task's log inside the caller's transaction. The caller has bumped {@link Task#seq};
 * the row is the outbox entry the relay publishes after commit.
 */
@ApplicationScoped
public class TaskEventLog {
    private final TaskEventRepository events;
    private final EventMessages messages;
    private final InstanceIdentity identity;
    private final ObjectMapper json;

    public TaskEventLog(TaskEventRepository events, EventMessages messages, InstanceIdentity identity, ObjectMapper json) {
        this.events = events;
        this.messages = messages;
        this.identity = identity;
        this.json = json;
    }

    public Uni<TaskEventRecord> append(Task task, TaskEvent event) {
        if (event.seq() != task.seq) {
            throw new IllegalStateException("event " + event.seq() + " does not match task sequence " + task.seq);
        }
        UUID id = UUID.randomUUID();
        EventEnvelope envelope = messages.codec().envelope(TaskEvent.FAMILY, event, identity.eventSource(), id.toString());
        TaskEventRecord record = new TaskEventRecord();
        record.id = id;
        record.taskId = task.id;
        record.teamId = task.teamId;
        record.seq = event.seq();
        record.type = envelope.type();
        record.envelope = json.valueToTree(envelope);
        record.createdAt = event.at();
        return events.persist(record);
    }
}
