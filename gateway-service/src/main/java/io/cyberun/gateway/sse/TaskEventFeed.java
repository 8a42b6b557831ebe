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
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Every gateway replica reads every task event (each has its own consumer group, from the latest offset) and
 * hands it to its own subscribers: those of the task's stream and those of its team's stream. Events that neither
 * kind watches here are skipped before decoding (the team comes from a header).
 */
@ApplicationScoped
public class TaskEventFeed {
    private final TaskStreams streams;
    private final TeamStreams teams;
    private final EventMessages messages;
    private final ObjectMapper json;
    private final TaskLogPolls polls;

    public TaskEventFeed(TaskStreams streams, TaskLogPolls polls, TeamStreams teams, EventMessages messages, ObjectMapper json) {
        this.streams = streams;
        this.polls = polls;
        this.teams = teams;
        this.messages = messages;
        this.json = json;
    }

    /** The team from the record's header; {@code null} when it has none (an event relayed before the header existed). */
    private static UUID team(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(EventMessages.TEAM_HEADER);
        if (header == null) {
            return null;
        }
        try {
            return UUID.fromString(new String(header.value(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
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
            boolean taskWatched = streams.hasSubscribers(task) || polls.isWaiting(task);
            if (!taskWatched && !teams.watches(team(record))) {
                continue;
            }
            try {
                TaskEvent event = messages.codec().read(TaskEvent.FAMILY, record.value());
                TaskStreamEvent streamEvent = TaskStreamEvent.of(event, json);
                if (taskWatched) {
                    streams.deliver(task, streamEvent);
                    polls.signal(task);
                }
                teams.deliver(event, streamEvent);
            } catch (RuntimeException e) {
                // An unreadable event reaches no subscriber; task-service's own log still serves replays.
            }
        }
    }
}
