package io.cyberun.common.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.common.config.TopicNames;
import io.cyberun.contracts.Topic;
import io.cyberun.contracts.events.EventCodec;
import io.cyberun.contracts.events.EventData;
import io.cyberun.contracts.events.EventEnvelope;
import io.cyberun.contracts.events.EventFamily;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Builds Kafka messages of Cyberun events: structured CloudEvents JSON, keyed, on the prefixed topic. */
@ApplicationScoped
public class EventMessages {
    /** The Kafka header carrying the CloudEvents type of a message (as binary-mode CloudEvents name it). */
    public static final String TYPE_HEADER = "ce_type";
    /**
     * The Kafka header carrying the team an event belongs to (a CloudEvents extension attribute in binary-mode naming),
     * so the gateway can route a task event to the team's dashboards without parsing it.
     */
    public static final String TEAM_HEADER = "ce_teamid";
    private final EventCodec codec;
    private final InstanceIdentity identity;
    private final TopicNames topics;

    public EventMessages(ObjectMapper mapper, InstanceIdentity identity, TopicNames topics) {
        this.codec = new EventCodec(mapper);
        this.identity = identity;
        this.topics = topics;
    }

    public EventCodec codec() {
        return codec;
    }

    /** A message for a new event with a fresh id. */
    public <T extends EventData> Message<String> message(Topic topic, EventFamily<T> family, T data) {
        return message(topic, codec.encode(family, data, identity.eventSource()), data.key(), family.typeOf(data));
    }

    /**
     * A message for an event already serialized as CloudEvents JSON. Its type also travels as the {@value #TYPE_HEADER}
     * header, so a consumer can pass over the types it does not handle without parsing them.
     */
    public Message<String> message(Topic topic, String eventJson, String key, String type) {
        return message(topic, eventJson, key, type, null);
    }

    /** As {@link #message(Topic, String, String, String)}, with the event's team in the {@value #TEAM_HEADER} header. */
    public Message<String> message(Topic topic, String eventJson, String key, String type, java.util.UUID team) {
        RecordHeaders headers = new RecordHeaders();
        if (team != null) {
            headers.add(TEAM_HEADER, team.toString().getBytes(StandardCharsets.UTF_8));
        }
        headers.add("content-type", EventEnvelope.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        if (type != null) {
            headers.add(TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
        }
        return Message.of(eventJson).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(topics.of(topic))
                .withKey(key)
                .withHeaders(headers)
                .build());
    }
}
