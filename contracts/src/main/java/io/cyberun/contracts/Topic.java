package io.cyberun.contracts;

import java.time.Duration;

/**
 * The Kafka topics of Cyberun. Channel name = topic name; a deployment may put a prefix in front of every
 * topic (tests use one per run). {@code deploy/local/kafka/topics.conf} lists the same table for the local
 * stack's script, and a test keeps the two equal.
 */
public enum Topic {
    /** Authoritative task lifecycle changes, written only by task-service. Key: task id. */
    TASK_EVENTS("task-events", 12, Duration.ofDays(7)),
    /** Requests to change a task's state (from scheduler and agent-hub). Key: task id. */
    TASK_TRANSITIONS("task-transitions", 12, Duration.ofDays(7)),
    /** Progress, log lines and previews reported by agents. Key: task id. Short retention. */
    TASK_PROGRESS("task-progress", 12, Duration.ofHours(1)),
    /** Agent connects, status changes and disconnects. Key: agent id. */
    AGENT_EVENTS("agent-events", 6, Duration.ofDays(1)),
    /** Dispatch and cancel commands for agents. Key: agent id. */
    AGENT_COMMANDS("agent-commands", 6, Duration.ofDays(1));

    /** Dead-letter twins keep messages a consumer could not handle, for two weeks, in one partition. */
    public static final Duration DLQ_RETENTION = Duration.ofDays(14);

    private final String topicName;
    private final int partitions;
    private final Duration retention;

    Topic(String topicName, int partitions, Duration retention) {
        this.topicName = topicName;
        this.partitions = partitions;
        this.retention = retention;
    }

    /** The topic name without any deployment prefix; also the channel name. */
    public String topicName() {
        return topicName;
    }

    public int partitions() {
        return partitions;
    }

    public Duration retention() {
        return retention;
    }

    /** The name of this topic's dead-letter twin. */
    public String deadLetterTopicName() {
        return topicName + "-dlq";
    }
}
