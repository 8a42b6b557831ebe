package io.cyberun.agent.task;

import io.cyberun.agent.AgentLog;
import io.cyberun.agent.hub.HubLink;
import io.cyberun.agent.runtime.RunOutcome;
import io.cyberun.agent.runtime.TaskRuntime;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskOutputFile;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Runs the tasks the hub dispatches, up to the agent's capacity: accepts or refuses each, runs it on a virtual
 * thread with the runtime of its tool type (inputs downloaded first, outputs uploaded straight to object storage
 * after), streams its logs, progress and previews, and reports how it ended exactly once. A repeated dispatch of an
 * attempt that already ran here is ignored.
 */
public final class TaskRunner {
    static final int FINISHED_REMEMBERED = 4096;

    private final Map<String, TaskRuntime> runtimes;
    private final int capacity;
    private final Path workDir;
    private final HubLink hub;
    private final OutputUploader uploader;
    private final InputDownloader downloader;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<UUID, TaskExecution> running = new ConcurrentHashMap<>();
    /** Attempts that ended here, so a dispatch repeated after a reconnect does not run them again. */
    private final Set<String> finished = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > FINISHED_REMEMBERED;
        }
    }));

    public TaskRunner(Map<String, TaskRuntime> runtimes, int capacity, Path workDir, HttpClient http, HubLink hub) {
        this.runtimes = runtimes;
        this.capacity = capacity;
        this.workDir = workDir;
        this.hub = hub;
        this.uploader = new OutputUploader(http, hub::sendNow);
        this.downloader = new InputDownloader(http);
    }

    /** Runs other work of the agent (health checks, replica probes) on the same virtual threads. */
    public void submit(Runnable work) {
        threads.submit(work);
    }

    public boolean isIdle() {
        return running.isEmpty();
    }

    public int count() {
        return running.size();
    }

    /** The attempts running now. */
    public List<RunningTask> runningTasks() {
        return running.values().stream().map(t -> new RunningTask(t.taskId(), t.attempt())).toList();
    }

    public void uploadUrls(HubMessage.UploadUrls answer) {
        uploader.answered(answer);
    }

    /**
     * Takes a dispatched task, or refuses it: with {@code agentRefusal} (why the agent as a whole takes none now), at
     * capacity, or without a runtime for its tool type.
     */
    public void dispatch(HubMessage.Dispatch d, String agentRefusal) {
        if (finished.contains(d.taskId() + "/" + d.attempt())) {
            AgentLog.info("task %s attempt %d: already ran here, a repeated dispatch is ignored", d.taskId(), d.attempt());
            return;
        }
        TaskExecution current = running.get(d.taskId());
        if (current != null && current.attempt() == d.attempt()) {
            hub.send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
            return;
        }
        TaskRuntime runtime = d.spec() == null ? null : runtimes.get(d.spec().toolType());
        String refusal = agentRefusal != null ? agentRefusal
                : running.size() >= capacity ? "the agent is at capacity (" + capacity + ")"
                : runtime == null ? "this agent has no runtime for tool type " + (d.spec() == null ? "?" : d.spec().toolType())
                : null;
        if (refusal != null) {
            AgentLog.info("task %s: refused (%s)", d.taskId(), refusal);
            hub.send(new AgentMessage.TaskRejected(d.taskId(), d.attempt(), refusal));
            return;
        }
        Path outputDir;
        try {
            outputDir = Files.createDirectories(workDir.resolve("tasks").resolve(d.taskId() + "-" + d.attempt()).resolve("outputs"));
            clear(outputDir);
        } catch (Exception e) {
            hub.send(new AgentMessage.TaskRejected(d.taskId(), d.attempt(), "cannot prepare the work folder: " + e.getMessage()));
            return;
        }
        TaskExecution task = new TaskExecution(d.taskId(), d.attempt(), d.spec(), outputDir, d.inputs());
        running.put(d.taskId(), task);
        hub.send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
        AgentLog.info("task %s attempt %d: running %s workflow %s@%d", d.taskId(), d.attempt(), d.spec().toolType(),
                d.spec().workflowSlug(), d.spec().workflowVersion());
        threads.submit(() -> execute(task, runtime));
    }

    /** The hub asked to cancel an attempt: stopped if it is the one running. */
    public void cancel(HubMessage.Cancel c) {
        TaskExecution task = running.get(c.taskId());
        if (task != null && task.attempt() == c.attempt()) {
            AgentLog.info("task %s: cancel requested (%s)", c.taskId(), c.reason());
            task.cancel();
        }
    }

    private void execute(TaskExecution task, TaskRuntime runtime) {
        RunOutcome outcome;
        try {
            task.inputsReady(downloader.download(task));
            outcome = task.cancelled() ? RunOutcome.failed("cancelled") : runtime.run(task);
        } catch (InputDownloader.InputException e) {
            outcome = RunOutcome.failed(e.getMessage());
        } catch (Exception e) {
            outcome = RunOutcome.failed(runtime.toolType() + " runtime failed: " + e.getMessage());
        }
        flushReports();
        AgentMessage result = result(task, outcome);
        finished.add(task.taskId() + "/" + task.attempt());
        hub.send(result);
        running.remove(task.taskId(), task);
        synchronized (running) {
            running.notifyAll(); // a drain waits for the last task to end
        }
        try {
            clear(task.outputDir().getParent());
            Files.deleteIfExists(task.outputDir().getParent());
        } catch (Exception e) {
            AgentLog.debug("could not clean %s: %s", task.outputDir(), e.getMessage());
        }
    }

    /** How the attempt ended, as the hub hears it; a successful run's outputs are uploaded first. */
    private AgentMessage result(TaskExecution task, RunOutcome outcome) {
        if (task.lostReason() != null) {
            return new AgentMessage.TaskFailed(task.taskId(), task.attempt(), task.lostReason(), task.tail());
        }
        if (task.cancelled()) {
            AgentLog.info("task %s: stopped after cancel", task.taskId());
            return new AgentMessage.TaskCancelled(task.taskId(), task.attempt());
        }
        if (!outcome.success()) {
            AgentLog.info("task %s: failed: %s", task.taskId(), outcome.error());
            return new AgentMessage.TaskFailed(task.taskId(), task.attempt(), outcome.error(), task.tail());
        }
        try {
            List<TaskOutputFile> outputs = uploader.upload(task);
            AgentLog.info("task %s: completed, %d output(s) uploaded", task.taskId(), outputs.size());
            return new AgentMessage.TaskCompleted(task.taskId(), task.attempt(), outputs);
        } catch (Exception e) {
            AgentLog.warn("task %s: uploading outputs failed: %s", task.taskId(), e.getMessage());
            return new AgentMessage.TaskFailed(task.taskId(), task.attempt(), "uploading outputs failed: " + e.getMessage(), task.tail());
        }
    }

    /** Sends what the running tasks logged and reported since the last flush. */
    public void flushReports() {
        for (TaskExecution task : running.values()) {
            List<LogLine> lines = task.drainLogs();
            if (!lines.isEmpty()) {
                hub.send(new AgentMessage.TaskLog(task.taskId(), task.attempt(), lines));
            }
            for (ProgressInfo progress : task.drainProgress()) {
                hub.send(new AgentMessage.TaskProgress(task.taskId(), task.attempt(), progress));
            }
            TaskExecution.Preview preview = task.drainPreview();
            if (preview != null) {
                hub.send(new AgentMessage.TaskPreview(task.taskId(), task.attempt(), preview.contentType(), preview.nodeId(), preview.image()));
            }
        }
    }

    /** The agent lost its lease: every running task stops, failing with {@code reason} (the platform retries it elsewhere). */
    public void loseAll(Duration lease) {
        for (TaskExecution task : running.values()) {
            if (!task.cancelled()) {
                AgentLog.warn("task %s: no contact with the platform for %d s; stopping it (the platform will retry it elsewhere)",
                        task.taskId(), lease.toSeconds());
                task.lose("the agent lost contact with the platform for " + lease.toSeconds() + " s and stopped the task");
            }
        }
    }

    /** Lets running tasks finish for up to {@code drain}, then cancels the rest. */
    public void drain(Duration drain) throws InterruptedException {
        if (!running.isEmpty()) {
            AgentLog.info("shutting down: waiting up to %d s for %d running task(s)", drain.toSeconds(), running.size());
        }
        long deadline = System.nanoTime() + drain.toNanos();
        synchronized (running) {
            for (long left = drain.toMillis(); !running.isEmpty() && left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
                running.wait(left);
            }
        }
        running.values().forEach(TaskExecution::cancel);
        flushReports();
    }

    /** Takes no more work; what runs finishes on its own. */
    public void shutdown() {
        threads.shutdown();
    }

    private static void clear(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            paths.remove(dir);
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }
}
