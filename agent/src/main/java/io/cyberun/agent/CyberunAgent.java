package io.cyberun.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.agent.config.AgentConfig;
import io.cyberun.agent.containers.Replicas;
import io.cyberun.agent.hub.HubConnection;
import io.cyberun.agent.runtime.RunOutcome;
import io.cyberun.agent.runtime.TaskRuntime;
import io.cyberun.agent.models.ModelStore;
import io.cyberun.agent.task.InputDownloader;
import io.cyberun.agent.task.OutputUploader;
import io.cyberun.agent.task.TaskExecution;
import io.cyberun.agent.tunnel.Tunnels;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.agent.SystemStats;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.AgentProtocol;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskOutputFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The agent: keeps a connection to agent-hub (reconnecting with backoff and jitter), runs dispatched tasks up to
 * its capacity with the runtime of their tool type, streams their logs and progress, uploads their outputs
 * straight to object storage, and reports how they ended. Task messages that cannot be sent while the
 * connection is down are kept and sent after the next welcome, so a result is not lost to a reconnect.
 */
public final class CyberunAgent {
    static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How often buffered log lines and progress are sent. */
    static final Duration FLUSH_INTERVAL = Duration.ofMillis(250);

    private final AgentConfig config;
    private final Map<String, TaskRuntime> runtimes;
    private final SystemStats systemStats;
    private final String version;
    private final ObjectMapper json = CyberunJson.mapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ExecutorService taskThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("agent-timer").unstarted(r));
    private final Map<UUID, TaskExecution> running = new ConcurrentHashMap<>();
    /** Attempts this agent ran to their end, newest last: a dispatch of one again (a redelivered command) never reruns it. */
    private final Set<String> finished = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > FINISHED_REMEMBERED;
        }
    }));
    static final int FINISHED_REMEMBERED = 4096;
    private final ConcurrentLinkedQueue<AgentMessage> undelivered = new ConcurrentLinkedQueue<>();
    private final OutputUploader uploader;
    private final InputDownloader downloader;
    private volatile HubConnection connection;
    private volatile boolean welcomed;
    private volatile boolean stopping;
    private volatile Duration heartbeatInterval = Duration.ofSeconds(5);
    private volatile Duration silenceLimit = Duration.ofSeconds(15);
    private volatile long lastHeartbeat;
    /** {@link System#nanoTime()} when the agent was last welcomed. */
    private volatile long lastConnected = System.nanoTime();
    /** The last connection the hub welcomed: what was last heard on it is the agent's last contact. */
    private volatile HubConnection welcomedConnection;
    /** Why a runtime's tool cannot take tasks (the agent reports {@code unhealthy}), or null. */
    private volatile String unhealthy;
    private final ModelStore models;
    private final Tunnels tunnels;
    private final Replicas replicas;
    /** The hub the agent is connected to: a tunnel's streams are dialled to the same replica. */
    private volatile URI currentHub;
    /** Model syncs run one at a time, off the message thread. */
    private final java.util.concurrent.ExecutorService syncThread = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("agent-model-sync").unstarted(r));

    public CyberunAgent(AgentConfig config, List<TaskRuntime> runtimes, SystemStats systemStats, String version) {
        this.config = config;
        this.runtimes = new ConcurrentHashMap<>();
        runtimes.forEach(r -> this.runtimes.put(r.toolType(), r));
        this.systemStats = systemStats;
        this.version = version;
        this.uploader = new OutputUploader(http, this::sendNow);
        this.downloader = new InputDownloader(http);
        this.models = new ModelStore(http, config.modelsDir == null ? workDir().resolve("models") : config.resolve(config.modelsDir));
        this.replicas = new Replicas(containerRuntime(config, workDir()), config.containers.externalCredentials, this::send,
                java.time.Clock.systemUTC());
        this.tunnels = new Tunnels(java.util.Set.copyOf(config.tunnelPorts), Duration.ofMinutes(config.tunnelIdleMinutes),
                this::send, () -> send(new AgentMessage.StatusUpdate(readyStatus(), null, unhealthy, null)), java.time.Clock.systemUTC(),
                replicas::target);
    }

    /** The configured container runtime; {@code auto}: docker when its CLI is on the PATH, process otherwise. */
    static io.cyberun.agent.containers.ContainerRuntime containerRuntime(AgentConfig config, Path workDir) {
        String wanted = config.containers.runtime;
        boolean docker = "docker".equals(wanted) || ("auto".equals(wanted) && onPath(config.containers.dockerCommand));
        return docker ? new io.cyberun.agent.containers.DockerRuntime(config.containers.dockerCommand)
                : new io.cyberun.agent.containers.ProcessRuntime(config.containers.commands, workDir.resolve("containers"), config.baseDir);
    }

    private static boolean onPath(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    /** Runs until {@link #stop} is called; returns the process exit code. */
    public int run() {
        timers.scheduleWithFixedDelay(this::flushReports, FLUSH_INTERVAL.toMillis(), FLUSH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::heartbeat, 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(tunnels::closeIdle, 30, 30, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(() -> taskThreads.submit(replicas::probe), 2, 2, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(replicas::report, 10, 10, TimeUnit.SECONDS);
        runtimes.values().forEach(TaskRuntime::recover);
        checkHealth();
        timers.scheduleWithFixedDelay(() -> taskThreads.submit(this::checkHealth), config.healthCheckSeconds, config.healthCheckSeconds,
                TimeUnit.SECONDS);
        Duration backoff = MIN_BACKOFF;
        List<URI> hubs = config.hubUris(AgentProtocol.PATH);
        int next = 0;
        while (!stopping) {
            URI hub = hubs.get(next);
            try {
                AgentLog.info("connecting to %s as %s (labels %s, capacity %d)", hub, config.agentId,
                        String.join(",", labels(systemStats)), config.gpuCapacity);
                HubConnection c = HubConnection.open(http, hub, config.key, json, this::onMessage);
                connection = c;
                currentHub = hub;
                c.send(hello());
                String reason = c.closed().join();
                welcomed = false;
                // The hub forgets a lost connection's tunnels; so does the agent (a reconnect opens new ones).
                tunnels.closeAll();
                if (!stopping) {
                    AgentLog.warn("disconnected: %s", reason);
                }
                backoff = MIN_BACKOFF;
            } catch (Exception e) {
                Throwable cause = rootCause(e);
                if (cause instanceof WebSocketHandshakeException refused) {
                    int status = refused.getResponse().statusCode();
                    if (status == 401 || status == 403) {
                        AgentLog.warn("the hub refused the agent key (HTTP %d): check --key / CYBERUN_AGENT_KEY; it must be an active ak- key", status);
                        return 2;
                    }
                    AgentLog.warn("the hub refused the connection (HTTP %d)", status);
                } else {
                    AgentLog.warn("cannot reach the hub: %s", cause.getMessage() == null ? cause.toString() : cause.getMessage());
                }
            }
            if (stopping) {
                break;
            }
            next = (next + 1) % hubs.size(); // with several hubs, a lost one is replaced by the next
            long jittered = (long) (backoff.toMillis() * (0.5 + ThreadLocalRandom.current().nextDouble()));
            AgentLog.info("reconnecting in %.1f s", jittered / 1000.0);
            sleep(jittered);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
        return 0;
    }

    /** Stops taking tasks, lets running ones finish for up to {@code drain}, then disconnects. */
    public void stop(Duration drain) {
        stopping = true;
        if (!running.isEmpty()) {
            AgentLog.info("shutting down: waiting up to %d s for %d running task(s)", drain.toSeconds(), running.size());
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            sleep(200);
        }
        running.values().forEach(TaskExecution::cancel);
        replicas.stopAll();
        flushReports();
        deliverUndelivered();
        HubConnection c = connection;
        if (c != null) {
            c.close("agent shutting down");
        }
        taskThreads.shutdown();
        syncThread.shutdownNow();
        timers.shutdown();
        AgentLog.info("stopped");
    }

    private void onMessage(HubMessage message) {
        switch (message) {
            case HubMessage.Welcome w -> {
                heartbeatInterval = Duration.ofSeconds(Math.max(1, w.heartbeatIntervalSeconds()));
                silenceLimit = Duration.ofSeconds(Math.max(2, w.silenceLimitSeconds()));
                welcomed = true;
                lastConnected = System.nanoTime();
                welcomedConnection = connection;
                AgentLog.info("connected to %s (session %s)", w.hubId(), w.sessionId());
                if (unhealthy != null) {
                    send(new AgentMessage.StatusUpdate(AgentStatus.UNHEALTHY, null, unhealthy, null));
                }
                deliverUndelivered();
                replicas.report();
            }
            case HubMessage.Dispatch d -> dispatch(d);
            case HubMessage.Cancel c -> {
                TaskExecution task = running.get(c.taskId());
                if (task != null && task.attempt() == c.attempt()) {
                    AgentLog.info("task %s: cancel requested (%s)", c.taskId(), c.reason());
                    task.cancel();
                }
            }
            case HubMessage.UploadUrls u -> uploader.answered(u);
            case HubMessage.Refusal r -> AgentLog.warn("the hub refused a message: %s (%s)", r.message(), r.code());
            case HubMessage.ModelSync m -> syncThread.submit(() -> syncModels(m.models()));
            case HubMessage.TunnelOpen t -> tunnels.open(t);
            case HubMessage.TunnelClose t -> tunnels.close(t);
            case HubMessage.StreamOpen o -> tunnels.stream(o, currentHub);
            case HubMessage.ReplicaStart r -> {
                if (!stopping) {
                    replicas.start(r);
                }
            }
            case HubMessage.ReplicaStop r -> replicas.stop(r);
        }
    }

    /**
     * Downloads the team's models the cache lacks, reporting {@code syncing} with the share done (no tasks come
     * meanwhile), then reports the models it has, which lets tasks provisioning on this agent go ahead.
     */
    private void syncModels(List<io.cyberun.contracts.files.ModelManifest.Entry> manifest) {
        try {
            List<io.cyberun.contracts.files.ModelManifest.Entry> missing = models.missing(manifest);
            if (missing.isEmpty()) {
                send(new AgentMessage.StatusUpdate(readyStatus(), null, unhealthy, null, models.present()));
                return;
            }
            AgentLog.info("syncing %d model(s) into %s", missing.size(), models.dir());
            send(new AgentMessage.StatusUpdate(AgentStatus.SYNCING, "downloading", "Downloading " + missing.size() + " model(s)", 0.0));
            long[] last = {System.nanoTime()};
            ModelStore.Result result = models.sync(manifest, (detail, percent) -> {
                if (System.nanoTime() - last[0] >= 1_000_000_000L) {
                    last[0] = System.nanoTime();
                    send(new AgentMessage.StatusUpdate(AgentStatus.SYNCING, "downloading", detail, Math.floor(percent * 10) / 10));
                }
            });
            result.problems().forEach(p -> AgentLog.warn("model %s", p));
            AgentLog.info("model sync done: %d model(s) present%s", result.present().size(),
                    result.problems().isEmpty() ? "" : ", " + result.problems().size() + " failed");
            String detail = result.problems().isEmpty() ? unhealthy : "model sync failed for " + result.problems();
            send(new AgentMessage.StatusUpdate(readyStatus(), null, detail, null, models.present()));
        } catch (RuntimeException e) {
            AgentLog.warn("model sync failed: %s", e.toString());
            send(new AgentMessage.StatusUpdate(readyStatus(), null, "model sync failed: " + e.getMessage(), null, models.present()));
        }
    }

    /** The status to report when not syncing: unhealthy while a tool does not answer; idle or busy otherwise (the hub counts). */
    private AgentStatus readyStatus() {
        return unhealthy != null ? AgentStatus.UNHEALTHY : tunnels.anyOpen() ? AgentStatus.TUNNEL
                : running.isEmpty() ? AgentStatus.IDLE : AgentStatus.BUSY;
    }

    private void dispatch(HubMessage.Dispatch d) {
        if (finished.contains(d.taskId() + "/" + d.attempt())) {
            AgentLog.info("task %s attempt %d: already ran here, a repeated dispatch is ignored", d.taskId(), d.attempt());
            return;
        }
        TaskExecution current = running.get(d.taskId());
        if (current != null && current.attempt() == d.attempt()) {
            send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
            return;
        }
        TaskRuntime runtime = d.spec() == null ? null : runtimes.get(d.spec().toolType());
        String refusal = stopping ? "the agent is shutting down"
                : unhealthy != null ? "the agent is unhealthy: " + unhealthy
                : tunnels.anyOpen() ? "an interactive tunnel is open on this agent"
                : running.size() >= config.gpuCapacity ? "the agent is at capacity (" + config.gpuCapacity + ")"
                : runtime == null ? "this agent has no runtime for tool type " + (d.spec() == null ? "?" : d.spec().toolType())
                : null;
        if (refusal != null) {
            AgentLog.info("task %s: refused (%s)", d.taskId(), refusal);
            send(new AgentMessage.TaskRejected(d.taskId(), d.attempt(), refusal));
            return;
        }
        Path outputDir;
        try {
            outputDir = Files.createDirectories(workDir().resolve("tasks").resolve(d.taskId() + "-" + d.attempt()).resolve("outputs"));
            clear(outputDir);
        } catch (Exception e) {
            send(new AgentMessage.TaskRejected(d.taskId(), d.attempt(), "cannot prepare the work folder: " + e.getMessage()));
            return;
        }
        TaskExecution task = new TaskExecution(d.taskId(), d.attempt(), d.spec(), outputDir, d.inputs());
        running.put(d.taskId(), task);
        send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
        AgentLog.info("task %s attempt %d: running %s workflow %s@%d", d.taskId(), d.attempt(), d.spec().toolType(),
                d.spec().workflowSlug(), d.spec().workflowVersion());
        taskThreads.submit(() -> execute(task, runtime));
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
        AgentMessage result;
        if (task.lostReason() != null) {
            result = new AgentMessage.TaskFailed(task.taskId(), task.attempt(), task.lostReason(), task.tail());
        } else if (task.cancelled()) {
            AgentLog.info("task %s: stopped after cancel", task.taskId());
            result = new AgentMessage.TaskCancelled(task.taskId(), task.attempt());
        } else if (outcome.success()) {
            try {
                List<TaskOutputFile> outputs = uploader.upload(task);
                AgentLog.info("task %s: completed, %d output(s) uploaded", task.taskId(), outputs.size());
                result = new AgentMessage.TaskCompleted(task.taskId(), task.attempt(), outputs);
            } catch (Exception e) {
                AgentLog.warn("task %s: uploading outputs failed: %s", task.taskId(), e.getMessage());
                result = new AgentMessage.TaskFailed(task.taskId(), task.attempt(), "uploading outputs failed: " + e.getMessage(), task.tail());
            }
        } else {
            AgentLog.info("task %s: failed: %s", task.taskId(), outcome.error());
            result = new AgentMessage.TaskFailed(task.taskId(), task.attempt(), outcome.error(), task.tail());
        }
        finished.add(task.taskId() + "/" + task.attempt());
        send(result);
        running.remove(task.taskId(), task);
        try {
            clear(task.outputDir().getParent());
            Files.deleteIfExists(task.outputDir().getParent());
        } catch (Exception e) {
            AgentLog.debug("could not clean %s: %s", task.outputDir(), e.getMessage());
        }
    }

    /**
     * The tasks to report in hello: those running, and those whose result waits to be delivered (the hub accepts a
     * result only for a task the agent reported).
     */
    private List<RunningTask> heldTasks() {
        java.util.Set<RunningTask> tasks = new java.util.LinkedHashSet<>();
        running.values().forEach(t -> tasks.add(new RunningTask(t.taskId(), t.attempt())));
        for (AgentMessage m : undelivered) {
            switch (m) {
                case AgentMessage.TaskCompleted c -> tasks.add(new RunningTask(c.taskId(), c.attempt()));
                case AgentMessage.TaskFailed f -> tasks.add(new RunningTask(f.taskId(), f.attempt()));
                case AgentMessage.TaskCancelled c -> tasks.add(new RunningTask(c.taskId(), c.attempt()));
                default -> {
                }
            }
        }
        return List.copyOf(tasks);
    }

    /** The configured labels and those the agent derives from its tools and the GPUs in {@code stats}. */
    private List<String> labels(SystemStats stats) {
        return AgentLabels.derive(config.agentLabels, runtimes.keySet().stream().sorted().toList(), stats.gpuDevices());
    }

    private AgentMessage.Hello hello() {
        List<RunningTask> tasks = heldTasks();
        SystemStats stats = systemStats;
        for (TaskRuntime runtime : runtimes.values()) {
            stats = runtime.describe(stats);
        }
        String tool = runtimes.containsKey("comfyui") ? "comfyui" : "exec";
        return new AgentMessage.Hello(AgentProtocol.VERSION, config.agentId, labels(stats), version, tool,
                "comfyui".equals(tool) ? stats.comfyuiVersion() : null, config.gpuCapacity, stats, tasks, models.present());
    }

    /** Asks each runtime whether its tool answers; a change is reported to the hub ({@code unhealthy} takes no tasks). */
    private void checkHealth() {
        String problem = null;
        for (TaskRuntime runtime : runtimes.values()) {
            problem = runtime.healthProblem();
            if (problem != null) {
                break;
            }
        }
        String before = unhealthy;
        if (java.util.Objects.equals(before, problem)) {
            return;
        }
        unhealthy = problem;
        if (problem != null) {
            AgentLog.warn("unhealthy: %s; taking no tasks until it recovers", problem);
            send(new AgentMessage.StatusUpdate(AgentStatus.UNHEALTHY, null, problem, null));
        } else if (before != null) {
            AgentLog.info("healthy again; taking tasks");
            send(new AgentMessage.StatusUpdate(readyStatus(), null, null, null));
        }
    }

    /**
     * The agent's lease on its tasks: the platform gives a silent agent's tasks to others after the silence limit,
     * counted from the last message it got. An agent that has heard nothing from the hub for the silence limit minus
     * one heartbeat interval stops its tasks, so a task never runs on two agents at once. Their failures are reported
     * after the next welcome (and retried by the platform if they may be).
     */
    private void checkLease() {
        HubConnection c = welcomedConnection;
        long heard = c == null ? lastConnected : Math.max(lastConnected, c.lastHeard());
        Duration lease = silenceLimit.minus(heartbeatInterval);
        if (running.isEmpty() || System.nanoTime() - heard < lease.toNanos()) {
            return;
        }
        for (TaskExecution task : running.values()) {
            if (!task.cancelled()) {
                AgentLog.warn("task %s: no contact with the platform for %d s; stopping it (the platform will retry it elsewhere)",
                        task.taskId(), lease.toSeconds());
                task.lose("the agent lost contact with the platform for " + lease.toSeconds() + " s and stopped the task");
            }
        }
    }

    private void heartbeat() {
        checkLease();
        HubConnection c = connection;
        if (c == null || !welcomed || !c.isOpen()) {
            return;
        }
        long now = System.nanoTime();
        if (now - c.lastHeard() > silenceLimit.toNanos()) {
            // The hub pings every heartbeat interval; a hub this quiet is gone (or the network is), even if TCP has not noticed.
            AgentLog.warn("nothing heard from the hub for %d s; reconnecting", silenceLimit.toSeconds());
            c.abort("the hub went silent");
            return;
        }
        if (now - lastHeartbeat < heartbeatInterval.toNanos()) {
            return;
        }
        lastHeartbeat = now;
        send(new AgentMessage.Heartbeat(running.values().stream().map(t -> new RunningTask(t.taskId(), t.attempt())).toList()));
    }

    private void flushReports() {
        for (TaskExecution task : running.values()) {
            List<LogLine> lines = task.drainLogs();
            if (!lines.isEmpty()) {
                send(new AgentMessage.TaskLog(task.taskId(), task.attempt(), lines));
            }
            for (ProgressInfo progress : task.drainProgress()) {
                send(new AgentMessage.TaskProgress(task.taskId(), task.attempt(), progress));
            }
            TaskExecution.Preview preview = task.drainPreview();
            if (preview != null) {
                send(new AgentMessage.TaskPreview(task.taskId(), task.attempt(), preview.contentType(), preview.nodeId(), preview.image()));
            }
        }
    }

    /**
     * Sends now if connected; otherwise keeps task results (and log lines) for after the next welcome.
     * Heartbeats and progress are not worth keeping.
     */
    private void send(AgentMessage message) {
        if (!sendNow(message) && keep(message)) {
            undelivered.add(message);
        }
    }

    private boolean sendNow(AgentMessage message) {
        HubConnection c = connection;
        if (c == null || !c.isOpen() || (!welcomed && !(message instanceof AgentMessage.Hello))) {
            return false;
        }
        try {
            c.send(message);
            return true;
        } catch (Exception e) {
            AgentLog.debug("send failed: %s", e.getMessage());
            return false;
        }
    }

    private void deliverUndelivered() {
        AgentMessage m;
        while ((m = undelivered.peek()) != null) {
            if (!sendNow(m)) {
                return;
            }
            undelivered.poll();
        }
    }

    private static boolean keep(AgentMessage message) {
        return !(message instanceof AgentMessage.Heartbeat) && !(message instanceof AgentMessage.TaskProgress)
                && !(message instanceof AgentMessage.TaskPreview);
    }

    private Path workDir() {
        return config.workDir == null ? Path.of(System.getProperty("java.io.tmpdir"), "cyberun-agent-" + config.agentId)
                : config.resolve(config.workDir);
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

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
