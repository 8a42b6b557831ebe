package io.cyberun.contracts.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.UUID;

/** Writes and reads Cyberun events as structured-mode CloudEvents JSON. */
public final class EventCodec {
    private final ObjectMapper mapper;
    private final Clock clock;

    public EventCodec(ObjectMapper mapper) {
        this(mapper, Clock.systemUTC());
    }

    public EventCodec(ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
    }

    /** A decoded event with the envelope it came in. */
    public record Decoded<T>(EventEnvelope envelope, T data) {
    }

    /** Wraps the data in a new envelope with a fresh id. */
    public <T extends EventData> EventEnvelope envelope(EventFamily<T> family, T data, String source) {
        return envelope(family, data, source, UUID.randomUUID().toString());
    }

    /** Wraps the data in an envelope with a given id (an outbox row's id, so a resend keeps it). */
    public <T extends EventData> EventEnvelope envelope(EventFamily<T> family, T data, String source, String id) {
        return new EventEnvelope(EventEnvelope.SPEC_VERSION, id, source, family.typeOf(data), data.subject(),
                clock.instant(), EventEnvelope.CONTENT_TYPE, data.teamId().toString(), data.sequence(),
                mapper.valueToTree(data));
    }

    public String write(EventEnvelope envelope) {
        try {
            return mapper.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event could not be written as JSON", e);
        }
    }

    public <T extends EventData> String encode(EventFamily<T> family, T data, String source) {
        return write(envelope(family, data, source));
    }

    /**
     * Reads an event of the given family.
     *
     * @throws InvalidEventException when the text is not a CloudEvent of this family; such a message
     *                               belongs in the dead-letter topic, retrying cannot help
     */
    public <T extends EventData> Decoded<T> decode(EventFamily<T> family, String json) {
        EventEnvelope envelope;
        try {
            envelope = mapper.readValue(json, EventEnvelope.class);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not a CloudEvent: " + e.getOriginalMessage());
        }
        if (envelope.type() == null || envelope.data() == null || envelope.id() == null) {
            throw new InvalidEventException("a CloudEvent needs id, type and data");
        }
        Class<? extends T> type = family.classOf(envelope.type()).orElseThrow(() ->
                new InvalidEventException("unknown event type " + envelope.type() + " for " + family.base().getSimpleName()));
        try {
            return new Decoded<>(envelope, mapper.treeToValue(envelope.data(), type));
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("bad data for " + envelope.type() + ": " + e.getOriginalMessage());
        }
    }
}
