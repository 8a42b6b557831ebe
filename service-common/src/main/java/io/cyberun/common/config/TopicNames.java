package io.cyberun.common.config;

import io.cyberun.contracts.Topic;
import jakarta.enterprise.context.ApplicationScoped;

/** Topic and consumer-group names with this deployment's prefix. */
@ApplicationScoped
public class TopicNames {
    private final String prefix;

    public TopicNames(CyberunConfig config) {
        this.prefix = config.kafka().topicPrefix().orElse("");
    }

    public String of(Topic topic) {
        return prefix + topic.topicName();
    }

    public String prefix() {
        return prefix;
    }
}
