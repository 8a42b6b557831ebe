package io.cyberun.agent.task;

import io.cyberun.agent.runtime.TaskContext;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.PreviewInfo;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** One task attempt this agent runs: what the runtime reports is buffered here until the agent sends it. */
public final class TaskExecution implements TaskContext {
    /** Log lines a failure carries. */
    static final int TAIL = 50;

    private final UUID taskId;
    private final int attempt;
    private final TaskSpec spec;
    private final Path outputDir;
    private final Map<String, String> outputIds = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<HubMessage.InputFile> inputFiles;
    private volatile Map<String, Path> inputs = Map.of();
    private final List<LogLine> unsent = new ArrayList<>();
    private final Deque<LogLine> tail = new ArrayDeque<>();
    /**
     * Progress not sent yet: the latest report of each stage since the last drain, in order. A report supersedes the
     * one before only within a stage, so a short stage (Nerfstudio's download) still reaches the stream.
     */
    private final List<ProgressInfo> unsentProgress = new ArrayList<>();
    static final int MAX_UNSENT_STAGES = 8;
    private volatile boolean cancelled;
    private volatile String lostReason;
    /** The latest preview not sent yet, and when the last one was sent (previews go at most once a second). */
    private Preview unsentPreview;
    private long lastPreviewSent = System.nanoTime() - PREVIEW_INTERVAL.toNanos();
    private boolean toldPreviewTooLarge;
    static final java.time.Duration PREVIEW_INTERVAL = java.time.Duration.ofSeconds(1);

    /** A preview image waiting to be sent. */
    public record Preview(String contentType, String nodeId, byte[] image) {
    }

    public TaskExecution(UUID taskId, int attempt, TaskSpec spec, Path outputDir, List<HubMessage.InputFile> inputFiles) {
        this.taskId = taskId;
        this.attempt = attempt;
        this.spec = spec;
        this.outputDir = outputDir;
        this.inputFiles = inputFiles == null ? List.of() : List.copyOf(inputFiles);
    }

    /** The input files to fetch before running, as the dispatch named them. */
    public List<HubMessage.InputFile> inputFiles() {
        return inputFiles;
    }

    @Override
    public Map<String, Path> inputs() {
        return inputs;
    }

    public void inputsReady(Map<String, Path> local) {
        this.inputs = Map.copyOf(local);
    }

    @Override
    public UUID taskId() {
        return taskId;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public TaskSpec spec() {
        return spec;
    }

    @Override
    public Path outputDir() {
        return outputDir;
    }

    @Override
    public void outputId(String name, String id) {
        outputIds.put(name, id);
    }

    /** The runtime's identifiers of output files, by their name relative to the output folder. */
    public Map<String, String> outputIds() {
        return outputIds;
    }

    @Override
    public synchronized void log(String stream, String line) {
        LogLine entry = new LogLine(Instant.now(), stream, line);
        unsent.add(entry);
        tail.addLast(entry);
        if (tail.size() > TAIL) {
            tail.removeFirst();
        }
    }

    @Override
    public synchronized void progress(ProgressInfo progress) {
        if (!unsentProgress.isEmpty() && Objects.equals(unsentProgress.getLast().stage(), progress.stage())) {
            unsentProgress.set(unsentProgress.size() - 1, progress);
        } else {
            unsentProgress.add(progress);
            if (unsentProgress.size() > MAX_UNSENT_STAGES) {
                unsentProgress.removeFirst();
            }
        }
    }

    @Override
    public synchronized void preview(String contentType, String nodeId, byte[] image) {
        if (image == null || image.length == 0 || contentType == null || !PreviewInfo.CONTENT_TYPES.contains(contentType)) {
            return;
        }
        if (image.length <= PreviewInfo.MAX_BYTES) {
            unsentPreview = new Preview(contentType, nodeId, image);
        } else if (!toldPreviewTooLarge) {
            toldPreviewTooLarge = true;
            log("agent", "a preview of " + image.length / 1024 + " KB was not sent (previews are at most "
                    + PreviewInfo.MAX_BYTES / 1024 + " KB); later ones that are too large are dropped without a word");
        }
    }

    /** Takes the latest preview when one is waiting and the last went at least a second ago; otherwise null. */
    public synchronized Preview drainPreview() {
        long now = System.nanoTime();
        if (unsentPreview == null || now - lastPreviewSent < PREVIEW_INTERVAL.toNanos()) {
            return null;
        }
        Preview preview = unsentPreview;
        unsentPreview = null;
        lastPreviewSent = now;
        return preview;
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    public void cancel() {
        cancelled = true;
    }

    /** Stops the task because the agent lost its lease on it (it is reported failed, not cancelled). */
    public void lose(String reason) {
        lostReason = reason;
        cancelled = true;
    }

    /** Why the task was stopped without being cancelled, or null. */
    public String lostReason() {
        return lostReason;
    }

    /** Takes the log lines not sent yet. */
    public synchronized List<LogLine> drainLogs() {
        List<LogLine> lines = List.copyOf(unsent);
        unsent.clear();
        return lines;
    }

    /** Takes the progress not sent yet: the latest of each stage, oldest first (empty when there is none). */
    public synchronized List<ProgressInfo> drainProgress() {
        List<ProgressInfo> reports = List.copyOf(unsentProgress);
        unsentProgress.clear();
        return reports;
    }

    public synchronized List<LogLine> tail() {
        return List.copyOf(tail);
    }
}
