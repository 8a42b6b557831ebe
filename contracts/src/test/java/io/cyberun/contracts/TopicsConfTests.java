package io.cyberun.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicsConfTests {

    @Test
    void theLocalStackCreatesExactlyTheTopicsTheContractsName() throws Exception {
        Path conf = Path.of("..", "deploy", "local", "kafka", "topics.conf");
        Map<String, String> fromConf = new LinkedHashMap<>();
        for (String line : Files.readAllLines(conf)) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                String[] f = trimmed.split("\\s+");
                fromConf.put(f[0], f[1] + " " + f[2]);
            }
        }
        Map<String, String> fromContracts = new LinkedHashMap<>();
        for (Topic t : Topic.values()) {
            fromContracts.put(t.topicName(), t.partitions() + " " + t.retention().toMillis());
        }
        for (Topic t : Topic.values()) {
            fromContracts.put(t.deadLetterTopicName(), "1 " + Topic.DLQ_RETENTION.toMillis());
        }
        assertThat(fromConf).isEqualTo(fromContracts);
    }
}
