package io.cyberun.contracts.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.ProgressInfo;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentProtocolTests {
    private final ObjectMapper json = CyberunJson.mapper();

    @Test
    void agentMessagesCarryTheirTypeAndSnakeCaseFields() throws Exception {
        UUID task = UUID.randomUUID();
        AgentMessage progress = new AgentMessage.TaskProgress(task, 2, new ProgressInfo(0.5, "3", 5, 10, null, null));
        String text = json.writeValueAsString(progress);
        assertThat(text).contains("\"type\":\"task_progress\"").contains("\"step_current\":5").contains("\"task_id\"");
        assertThat(json.readValue(text, AgentMessage.class)).isEqualTo(progress);
    }

    @Test
    void aHelloFromAnAgentReadsWithItsRunningTasks() throws Exception {
        UUID task = UUID.randomUUID();
        String text = """
                {"type":"hello","protocol_version":1,"agent_id":"gpu-1","labels":["gpu"],"gpu_capacity":2,
                 "running_tasks":[{"task_id":"%s","attempt":1}],"some_future_field":true}""".formatted(task);
        AgentMessage message = json.readValue(text, AgentMessage.class);
        assertThat(message).isInstanceOfSatisfying(AgentMessage.Hello.class, hello -> {
            assertThat(hello.agentId()).isEqualTo("gpu-1");
            assertThat(hello.runningTasks()).containsExactly(new RunningTask(task, 1));
        });
    }

    @Test
    void hubMessagesRoundTrip() throws Exception {
        HubMessage cancel = new HubMessage.Cancel(UUID.randomUUID(), 3, "cancelled by user");
        assertThat(json.readValue(json.writeValueAsString(cancel), HubMessage.class)).isEqualTo(cancel);
    }

    @Test
    void progressIsClampedToTheUnitInterval() {
        assertThat(new ProgressInfo(1.7, null, null, null, null, null).progress()).isEqualTo(1.0);
        assertThat(new ProgressInfo(-2, null, null, null, null, null).progress()).isEqualTo(0.0);
        assertThat(new ProgressInfo(Double.NaN, null, null, null, null, null).progress()).isEqualTo(0.0);
    }
}
