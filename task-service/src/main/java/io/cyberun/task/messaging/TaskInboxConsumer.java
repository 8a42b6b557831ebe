package io.cyberun.task.messaging;

import io.cyberun.common.config.TopicNames;
import io.cyberun.common.messaging.DeadLetters;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.common.messaging.Redelivery;
import io.cyberun.contracts.Topic;
import io.cyberun.contracts.events.InvalidEventException;
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
 * per batch that also stores how far each partition was applied ({@link TaskChanges#applyBatch}). A record that is not
 * a readable event goes to its topic's dead-letter twin; any other failure (the database is down) is retried until it
 * passes, holding the partitions, so nothing accepted is lost and order is kept.
 */
@ApplicationScoped
public class TaskInboxConsumer {
    private final EventMessages messages;
    private final TaskChanges changes;
    private final DeadLetters deadLetters;
    private final String transitionsTopic;
    private final String group;

    public TaskInboxConsumer(EventMessages messages, TaskChanges changes, DeadLetters deadLetters, TopicNames topics) {
        this.messages = messages;
        this.changes = changes;
        this.deadLetters = deadLetters;
        this.transitionsTopic = topics.of(Topic.TASK_TRANSITIONS);
        this.group = topics.prefix() + "task-service";
    }

    @Incoming("task-inbox")
    public Uni<Void> consume(ConsumerRecords<String, String> batch) {
        List<TaskChanges.Inbound> inbound = new ArrayList<>(batch.count());
        List<DeadLetters.Unreadable> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, String> r : batch) {
            try {
                TaskChanges.Change change = r.topic().equals(transitionsTopic)
                        ? new TaskChanges.Transition(messages.codec().read(TaskTransition.FAMILY, r.value()))
                        : new TaskChanges.Report(messages.codec().read(ProgressReport.FAMILY, r.value()));
                inbound.add(new TaskChanges.Inbound(r.topic(), r.partition(), r.offset(), change));
            } catch (InvalidEventException e) {
                unreadable.add(new DeadLetters.Unreadable(r, e));
            }
        }
        return deadLetters.send(unreadable).call(() -> Redelivery.untilDone(changes.applyBatch(group, inbound), "applying task changes"));
    }
}
