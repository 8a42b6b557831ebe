package io.cyberun.agent.runtime;

import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** What a runtime gets for one task: its spec, a folder for outputs, and ways to report. */
public interface TaskContext {
    UUID taskId();

    int attempt();

    TaskSpec spec();

    /** An empty folder; every file in it when the run ends is uploaded as an output. */
    Path outputDir();

    /**
     * Names the output file at {@code name} (relative to {@link #outputDir()}) by the runtime's own identifier, e.g.
     * ComfyUI's {@code 9.images.0}; the task's result keys its download link by it.
     */
    void outputId(String name, String id);

    /** The downloaded files of the task's {@code file} parameters, by parameter key. */
    Map<String, Path> inputs();

    void log(String stream, String line);

    void progress(ProgressInfo progress);

    /**
     * A preview image of the running task ({@code image/png}, {@code image/jpeg} or {@code image/webp}; {@code nodeId}
     * when a node produced it). Best effort: only the latest is kept until the next send, and images larger than
     * {@link io.cyberun.contracts.task.PreviewInfo#MAX_BYTES} are dropped.
     */
    void preview(String contentType, String nodeId, byte[] image);

    boolean cancelled();
}
