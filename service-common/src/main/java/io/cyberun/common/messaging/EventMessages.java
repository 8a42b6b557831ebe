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
    /** The Kafka header naming the instance that sent an event ({@link EventSerializer} writes it as the event's source). */
    public static final String SOURCE_HEADER = "ce_source";
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

    /**
     * A message carrying an event's data, for a channel whose {@code value.serializer} is {@link EventSerializer} (which
     * writes it as a new event with a fresh id, its source taken from the {@value #SOURCE_HEADER} header set here).
     */
    public <T extends EventData> Message<T> message(Topic topic, EventFamily<T> family, T data) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(SOURCE_HEADER, identity.eventSource().getBytes(StandardCharsets.UTF_8));
        return Message.of(data).addMetadata(metadata(topic, data.key(), family.typeOf(data), null, headers));
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
        return Message.of(eventJson).addMetadata(metadata(topic, key, type, team, new RecordHeaders()));
    }

    private OutgoingKafkaRecordMetadata<String> metadata(Topic topic, String key, String type, java.util.UUID team, RecordHeaders headers) {
        if (team != null) {
            headers.add(TEAM_HEADER, team.toString().getBytes(StandardCharsets.UTF_8));
        }
        headers.add("content-type", EventEnvelope.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        if (type != null) {
            headers.add(TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
        }
        return OutgoingKafkaRecordMetadata.<String>builder().withTopic(topics.of(topic)).withKey(key).withHeaders(headers).build();
    }
}
