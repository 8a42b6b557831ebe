package io.cyberun.contracts.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.UUID;

/**
 * Writes and reads Cyberun events as structured-mode CloudEvents JSON. Events Cyberun writes put {@code type} before
 * {@code data}, which lets {@link #decodeData} read one in a single pass; any other order is read through a tree.
 */
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

    /**
     * Writes the data as a new event with this id straight to CloudEvents JSON, without building a tree first (the
     * same JSON {@link #write} makes of {@link #envelope}). {@code type} precedes {@code data}, so {@link #decode} reads
     * the data in one pass.
     */
    public <T extends EventData> String encode(EventFamily<T> family, T data, String source, String id) {
        try (java.io.StringWriter out = new java.io.StringWriter(256); JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("specversion", EventEnvelope.SPEC_VERSION);
            g.writeStringField("id", id);
            g.writeStringField("source", source);
            g.writeStringField("type", family.typeOf(data));
            g.writeStringField("subject", data.subject());
            g.writeFieldName("time");
            mapper.writeValue(g, clock.instant());
            g.writeStringField("datacontenttype", EventEnvelope.CONTENT_TYPE);
            g.writeStringField("teamid", data.teamId().toString());
            if (data.sequence() != null) {
                g.writeNumberField("sequence", data.sequence());
            }
            g.writeFieldName("data");
            mapper.writeValue(g, data);
            g.writeEndObject();
            g.flush();
            return out.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an event could not be written as JSON", e);
        }
    }

    /** The family an event's data belongs to (each data record implements exactly one family's sealed interface). */
    public static EventFamily<? extends EventData> familyOf(EventData data) {
        if (data instanceof TaskEvent) {
            return TaskEvent.FAMILY;
        } else if (data instanceof TaskTransition) {
            return TaskTransition.FAMILY;
        } else if (data instanceof ProgressReport) {
            return ProgressReport.FAMILY;
        } else if (data instanceof AgentEvent) {
            return AgentEvent.FAMILY;
        } else if (data instanceof AgentCommand) {
            return AgentCommand.FAMILY;
        }
        throw new IllegalArgumentException(data.getClass() + " belongs to no event family");
    }

    /** Writes any event's data as a new event with a fresh id, in the family it belongs to. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public String encode(EventData data, String source) {
        return encode((EventFamily) familyOf(data), data, source, UUID.randomUUID().toString());
    }

    /** Writes the data as a new event with a fresh id (see {@link #encode(EventFamily, EventData, String, String)}). */
    public <T extends EventData> String encode(EventFamily<T> family, T data, String source) {
        return encode(family, data, source, UUID.randomUUID().toString());
    }

    public String write(EventEnvelope envelope) {
        try {
            return mapper.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event could not be written as JSON", e);
        }
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

    /**
     * The data of an event of the given family, as {@link #decode} reads it, in one pass when {@code type} comes before
     * {@code data} (as in every event Cyberun writes). For consumers that need no envelope field.
     *
     * @throws InvalidEventException when the text is not a CloudEvent of this family
     */
    public <T extends EventData> T read(EventFamily<T> family, String json) {
        return read(family, () -> mapper.getFactory().createParser(json), () -> json);
    }

    /** As {@link #read(EventFamily, String)}, from the UTF-8 bytes of a Kafka record (no string is made on the fast path). */
    public <T extends EventData> T read(EventFamily<T> family, byte[] json) {
        return read(family, () -> mapper.getFactory().createParser(json), () -> new String(json, java.nio.charset.StandardCharsets.UTF_8));
    }

    private interface ParserSource {
        JsonParser open() throws java.io.IOException;
    }

    private <T extends EventData> T read(EventFamily<T> family, ParserSource source, java.util.function.Supplier<String> text) {
        try (JsonParser p = source.open()) {
            T fast = decodeData(family, p);
            if (fast != null) {
                return fast;
            }
        } catch (java.io.IOException e) {
            // not JSON: decode below says why
        }
        return decode(family, text.get()).data();
    }

    /**
     * The data of an event whose {@code id} and {@code type} come before its {@code data}, read in one pass; {@code null}
     * when the event is laid out otherwise (the caller falls back to the tree).
     */
    private <T extends EventData> T decodeData(EventFamily<T> family, JsonParser p) {
        try {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String type = null;
            boolean id = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> type = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "id" -> id = value == JsonToken.VALUE_STRING;
                    case "data" -> {
                        if (type == null || !id || value != JsonToken.START_OBJECT) {
                            return null;
                        }
                        String t = type;
                        Class<? extends T> cls = family.classOf(type).orElseThrow(() ->
                                new InvalidEventException("unknown event type " + t + " for " + family.base().getSimpleName()));
                        return mapper.readValue(p, cls);
                    }
                    default -> p.skipChildren();
                }
            }
            return null;
        } catch (InvalidEventException e) {
            throw e;
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
