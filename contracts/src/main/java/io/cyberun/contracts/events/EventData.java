package io.cyberun.contracts.events;

import java.util.UUID;

/** The data of a Cyberun CloudEvent: what every event says about its team, subject and Kafka key. */
public interface EventData {
    UUID teamId();

    /** The CloudEvents {@code subject}: the task or agent the event is about. */
    String subject();

    /** The Kafka record key; records with one key stay in order. */
    default String key() {
        return subject();
    }

    /** The task's event sequence number, for task events; {@code null} otherwise. */
    default Long sequence() {
        return null;
    }
}
