package io.cyberun.contracts.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.TaskOutputFile;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.contracts.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTests {
    private final EventCodec codec = new EventCodec(CyberunJson.mapper());
    private final UUID team = UUID.randomUUID();
    private final UUID task = UUID.randomUUID();

    @Test
    void aTaskEventSurvivesTheRoundTripWithItsEnvelope() {
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "demo", 3, "exec", JsonNodeFactory.instance.objectNode().put("command", "x"),
                JsonNodeFactory.instance.objectNode().put("steps", 5), List.of(), List.of("gpu"), null, List.of(), 60, 1, 0);
        TaskEvent.Submitted submitted = new TaskEvent.Submitted(task, team, 1, TaskStatus.PENDING, Instant.parse("2026-01-01T00:00:00Z"), spec);

        String json = codec.encode(TaskEvent.FAMILY, submitted, "task-service");
        EventCodec.Decoded<TaskEvent> decoded = codec.decode(TaskEvent.FAMILY, json);

        assertThat(decoded.data()).isEqualTo(submitted);
        assertThat(decoded.envelope().type()).isEqualTo("io.cyberun.task.submitted");
        assertThat(decoded.envelope().specversion()).isEqualTo("1.0");
        assertThat(decoded.envelope().subject()).isEqualTo(task.toString());
        assertThat(decoded.envelope().teamid()).isEqualTo(team.toString());
        assertThat(decoded.envelope().sequence()).isEqualTo(1L);
        assertThat(json).contains("\"workflow_version\":3").contains("\"required_labels\":[\"gpu\"]");
    }

    @Test
    void fieldsAddedBesideACompatibilityConstructorSurviveTheRoundTrip() {
        TaskEvent.StatusChanged retry = new TaskEvent.StatusChanged(task, team, 4, TaskStatus.PENDING, Instant.parse("2026-01-01T00:00:00Z"),
                TaskStatus.RUNNING, null, 1, 1, "retry 1 of 2 after: boom", Instant.parse("2026-01-01T00:00:02Z"));
        assertThat(codec.decode(TaskEvent.FAMILY, codec.encode(TaskEvent.FAMILY, retry, "task-service")).data()).isEqualTo(retry);
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "demo", 3, "exec", JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.objectNode(),
                List.of(), List.of("gpu"), null, List.of(), 60, 1, 0, "RTX 4090");
        TaskEvent.Submitted submitted = new TaskEvent.Submitted(task, team, 1, TaskStatus.PENDING, Instant.parse("2026-01-01T00:00:00Z"), spec);
        assertThat(codec.decode(TaskEvent.FAMILY, codec.encode(TaskEvent.FAMILY, submitted, "task-service")).data()).isEqualTo(submitted);
    }

    @Test
    void everyRecordOfEveryFamilyHasItsOwnTypeName() {
        assertThat(TaskEvent.FAMILY.types()).containsKeys("io.cyberun.task.submitted", "io.cyberun.task.status-changed",
                "io.cyberun.task.progressed", "io.cyberun.task.logged", "io.cyberun.task.completed",
                "io.cyberun.task.failed", "io.cyberun.task.cancelled");
        assertThat(TaskEvent.FAMILY.types()).hasSize(TaskEvent.class.getPermittedSubclasses().length);
        assertThat(TaskTransition.FAMILY.types()).hasSize(TaskTransition.class.getPermittedSubclasses().length);
        assertThat(AgentEvent.FAMILY.types()).hasSize(AgentEvent.class.getPermittedSubclasses().length);
        assertThat(AgentCommand.FAMILY.types()).hasSize(AgentCommand.class.getPermittedSubclasses().length);
        assertThat(ProgressReport.FAMILY.types()).hasSize(ProgressReport.class.getPermittedSubclasses().length);
    }

    @Test
    void aTransitionIsKeyedByItsTaskAndAnAgentCommandByTeamAndAgent() {
        var complete = new TaskTransition.Complete(task, team, "gpu-1", 2,
                List.of(new TaskOutputFile("a.png", "teams/x/tasks/y/outputs/a.png", 3, "image/png", "ab")));
        assertThat(complete.key()).isEqualTo(task.toString());
        var cancel = new AgentCommand.Cancel(team, "gpu-1", task, 2, "cancelled by user");
        assertThat(cancel.key()).isEqualTo(team + "/gpu-1");
        assertThat(codec.decode(AgentCommand.FAMILY, codec.encode(AgentCommand.FAMILY, cancel, "scheduler")).data()).isEqualTo(cancel);
    }

    @Test
    void textThatIsNotAnEventOfTheFamilyIsRefusedAsInvalid() {
        assertThatThrownBy(() -> codec.decode(TaskEvent.FAMILY, "not json")).isInstanceOf(InvalidEventException.class);
        String command = codec.encode(AgentCommand.FAMILY, new AgentCommand.Cancel(team, "a", task, 1, "x"), "s");
        assertThatThrownBy(() -> codec.decode(TaskEvent.FAMILY, command))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("unknown event type");
        assertThatThrownBy(() -> codec.decode(TaskEvent.FAMILY, "{\"id\":\"1\",\"type\":\"io.cyberun.task.submitted\"}"))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void kebabCaseNamesFollowTheRecordNames() {
        assertThat(EventFamily.kebab("StatusChanged")).isEqualTo("status-changed");
        assertThat(EventFamily.kebab("Submitted")).isEqualTo("submitted");
    }

    @Test
    void anEventWrittenInOnePassReadsBackTheSameWhicheverWayItIsRead() {
        UUID task = UUID.randomUUID();
        UUID team = UUID.randomUUID();
        TaskEvent.Completed done = new TaskEvent.Completed(task, team, 7, io.cyberun.contracts.task.TaskStatus.COMPLETED,
                java.time.Instant.parse("2026-01-02T03:04:05Z"), "gpu-1", 2, java.util.List.of());
        String json = codec.encode(TaskEvent.FAMILY, done, "cyberun/test/1", "e-1");
        assertThat(codec.read(TaskEvent.FAMILY, json)).isEqualTo(done);
        EventCodec.Decoded<TaskEvent> decoded = codec.decode(TaskEvent.FAMILY, json);
        assertThat(decoded.data()).isEqualTo(done);
        assertThat(decoded.envelope().id()).isEqualTo("e-1");
        assertThat(decoded.envelope().type()).isEqualTo("io.cyberun.task.completed");
        assertThat(decoded.envelope().sequence()).isEqualTo(7L);
        // Another writer may put data before type: still read, through the tree.
        String reordered = "{\"data\":" + json.substring(json.indexOf("\"data\":") + 7, json.length() - 1)
                + ",\"specversion\":\"1.0\",\"id\":\"e-2\",\"type\":\"io.cyberun.task.completed\",\"subject\":\"" + task + "\"}";
        assertThat(codec.read(TaskEvent.FAMILY, reordered)).isEqualTo(done);
        assertThatThrownBy(() -> codec.read(TaskEvent.FAMILY, "{\"id\":\"x\",\"type\":\"io.cyberun.task.nope\",\"data\":{}}"))
                .isInstanceOf(InvalidEventException.class);
    }
}
