package io.cyberun.task.messaging;

import io.cyberun.common.config.TopicNames;
import io.cyberun.common.messaging.Redelivery;
import io.cyberun.contracts.events.EventData;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.task.service.TaskChanges;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies what the scheduler and agent-hub send about tasks (transition requests on {@code task-transitions}) and
 * what agents report (progress and log lines on {@code task-progress}), a polled batch at a time, in one transaction
 * per batch that also stores how far each partition was applied ({@link TaskChanges#applyBatch}). The channel reads
 * typed events; a record that is not one was sent to its topic's dead-letter twin by the channel's failure handler and
 * arrives as {@code null}, passed over here. Any other failure (the database is down) is retried
 * until it passes, holding the partitions, so nothing accepted is lost and order is kept.
 */
@ApplicationScoped
public class TaskInboxConsumer {
    private final TaskChanges changes;
    private final String group;

    public TaskInboxConsumer(TaskChanges changes, TopicNames topics) {
        this.changes = changes;
        this.group = topics.prefix() + "task-service";
    }

    @Incoming("task-inbox")
    public Uni<Void> consume(ConsumerRecords<String, EventData> batch) {
        List<TaskChanges.Inbound> inbound = new ArrayList<>(batch.count());
        for (ConsumerRecord<String, EventData> r : batch) {
            TaskChanges.Change change = switch (r.value()) {
                case TaskTransition t -> new TaskChanges.Transition(t);
                case ProgressReport p -> new TaskChanges.Report(p);
                case null, default -> null;
            };
            if (change != null) {
                inbound.add(new TaskChanges.Inbound(r.topic(), r.partition(), r.offset(), change));
            }
        }
        return Redelivery.untilDone(changes.applyBatch(group, inbound), "applying task changes");
    }
}
