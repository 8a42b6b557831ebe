package io.cyberun.common.messaging;

import io.cyberun.contracts.events.EventCodec;
import io.cyberun.contracts.events.EventData;
import io.cyberun.contracts.json.CyberunJson;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes an event's data as a structured-mode CloudEvent (UTF-8 JSON) with a fresh id, in the family its type belongs to.
 * The event's {@code source} comes from the record's {@value EventMessages#SOURCE_HEADER} header, which
 * {@link EventMessages} sets to the sending instance.
 */
public class EventSerializer implements Serializer<EventData> {
    private final EventCodec codec = new EventCodec(CyberunJson.mapper());

    @Override
    public byte[] serialize(String topic, EventData data) {
        return serialize(topic, null, data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, EventData data) {
        if (data == null) {
            return null;
        }
        Header source = headers == null ? null : headers.lastHeader(EventMessages.SOURCE_HEADER);
        String from = source == null ? "cyberun" : new String(source.value(), StandardCharsets.UTF_8);
        return codec.encode(data, from).getBytes(StandardCharsets.UTF_8);
    }
}
