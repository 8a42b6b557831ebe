package io.cyberun.agent.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a task's progress sends: reports within a stage supersede each other, a stage change never does. */
class TaskExecutionTests {
    static ProgressInfo at(double progress, String stage) {
        return new ProgressInfo(progress, null, null, null, stage, stage + " " + progress);
    }

    @Test
    void aShortStageStillReachesTheStreamWhileReportsWithinAStageAreCoalesced() {
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "w", 1, "nerfstudio", null, null, List.of(), List.of(), null, List.of(), 0, 0, 0);
        TaskExecution task = new TaskExecution(UUID.randomUUID(), 1, spec, Path.of("out"), List.of());
        task.progress(at(0.02, "download"));
        task.progress(at(0.03, "process_data"));
        task.progress(at(0.10, "process_data"));
        task.progress(at(0.20, "train"));
        task.progress(at(0.30, "train"));
        assertThat(task.drainProgress()).extracting(ProgressInfo::message).containsExactly("download 0.02", "process_data 0.1", "train 0.3");
        assertThat(task.drainProgress()).isEmpty();
        for (int i = 0; i < 20; i++) {
            task.progress(at(i / 20.0, "stage-" + i));
        }
        assertThat(task.drainProgress()).as("bounded: the latest stages").hasSize(TaskExecution.MAX_UNSENT_STAGES)
                .last().extracting(ProgressInfo::stage).isEqualTo("stage-19");
    }

    @Test
    void previewsGoAtMostOnceASecondTheLatestOnlyAndNeverTooLargeOrOfAnotherType() {
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "w", 1, "comfyui", null, null, List.of(), List.of(), null, List.of(), 0, 0, 0);
        TaskExecution task = new TaskExecution(UUID.randomUUID(), 1, spec, Path.of("out"), List.of());
        assertThat(task.drainPreview()).as("none yet").isNull();
        task.preview("image/png", "3", new byte[] {1});
        task.preview("image/jpeg", "3", new byte[] {2});
        TaskExecution.Preview first = task.drainPreview();
        assertThat(first.contentType()).isEqualTo("image/jpeg");
        assertThat(first.image()).containsExactly(2);
        task.preview("image/png", "3", new byte[] {3});
        assertThat(task.drainPreview()).as("within a second of the last one").isNull();

        task.preview("text/html", null, new byte[] {4});
        task.preview("image/png", null, new byte[io.cyberun.contracts.task.PreviewInfo.MAX_BYTES + 1]);
        task.preview("image/png", null, new byte[io.cyberun.contracts.task.PreviewInfo.MAX_BYTES + 1]);
        assertThat(task.drainLogs()).extracting(io.cyberun.contracts.task.LogLine::text).singleElement().asString()
                .startsWith("a preview of 256 KB was not sent");
    }
}
