package io.cyberun.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.agent.config.AgentConfig;
import io.cyberun.agent.containers.ContainerRuntime;
import io.cyberun.agent.containers.Replicas;
import io.cyberun.agent.hub.Backoff;
import io.cyberun.agent.hub.ConnectFailure;
import io.cyberun.agent.hub.HubConnection;
import io.cyberun.agent.hub.HubLink;
import io.cyberun.agent.models.ModelStore;
import io.cyberun.agent.models.ModelSync;
import io.cyberun.agent.runtime.TaskRuntime;
import io.cyberun.agent.task.TaskRunner;
import io.cyberun.agent.tunnel.Tunnels;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.agent.SystemStats;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.AgentProtocol;
import io.cyberun.contracts.protocol.HubMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent: keeps a connection to agent-hub (reconnecting with backoff and jitter, rotating through the hubs),
 * says hello with what it holds, routes what the hub says to the part it concerns — tasks to {@link TaskRunner},
 * model syncs to {@link ModelSync}, tunnels to {@link Tunnels}, container replicas to {@link Replicas} — and keeps
 * the heartbeat, the health checks and the lease on its tasks. {@link HubLink} carries its messages across reconnects.
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
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("agent-timer").unstarted(r));
    private final HubLink hub = new HubLink();
    private final TaskRunner tasks;
    private final ModelSync models;
    private final Tunnels tunnels;
    private final Replicas replicas;
    private volatile boolean stopping;
    private volatile Duration heartbeatInterval = Duration.ofSeconds(5);
    private volatile Duration silenceLimit = Duration.ofSeconds(15);
    private volatile long lastHeartbeat;
    /** What a tool's health check last found wrong, or null while every tool answers. */
    private volatile String unhealthy;
    /** The hub this agent is connected to now: tunnel streams are dialled back to it. */
    private volatile URI currentHub;

    public CyberunAgent(AgentConfig config, List<TaskRuntime> runtimes, SystemStats systemStats, String version) {
        this.config = config;
        this.runtimes = new ConcurrentHashMap<>();
        runtimes.forEach(r -> this.runtimes.put(r.toolType(), r));
        this.systemStats = systemStats;
        this.version = version;
        this.tasks = new TaskRunner(this.runtimes, config.gpuCapacity, config.workPath(), http, hub);
        this.models = new ModelSync(new ModelStore(http, config.modelsPath()), hub::send, this::readyStatus, () -> unhealthy);
        this.replicas = new Replicas(ContainerRuntime.configured(config, config.workPath()), config.containers.externalCredentials, hub::send,
                Clock.systemUTC());
        this.tunnels = new Tunnels(Set.copyOf(config.tunnelPorts), Duration.ofMinutes(config.tunnelIdleMinutes),
                hub::send, () -> hub.send(new AgentMessage.StatusUpdate(readyStatus(), null, unhealthy, null)), Clock.systemUTC(),
                replicas::target);
    }

    /** Runs until {@link #stop} is called; returns the process exit code. */
    public int run() {
        timers.scheduleWithFixedDelay(tasks::flushReports, FLUSH_INTERVAL.toMillis(), FLUSH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::heartbeat, 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(tunnels::closeIdle, 30, 30, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(() -> tasks.submit(replicas::probe), 2, 2, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(replicas::report, 10, 10, TimeUnit.SECONDS);
        runtimes.values().forEach(TaskRuntime::recover);
        replicas.recover();
        checkHealth();
        timers.scheduleWithFixedDelay(() -> tasks.submit(this::checkHealth), config.healthCheckSeconds, config.healthCheckSeconds,
                TimeUnit.SECONDS);
        Backoff backoff = new Backoff(MIN_BACKOFF, MAX_BACKOFF);
        List<URI> hubs = config.hubUris(AgentProtocol.PATH);
        int next = 0;
        while (!stopping) {
            URI uri = hubs.get(next);
            try {
                AgentLog.info("connecting to %s as %s (labels %s, capacity %d)", uri, config.agentId,
                        String.join(",", labels(systemStats)), config.gpuCapacity);
                HubConnection c = HubConnection.open(http, uri, config.key, json, this::onMessage);
                hub.opened(c);
                currentHub = uri;
                c.send(hello());
                String reason = c.closed().join();
                hub.closed();
                // The hub forgets a lost connection's tunnels; so does the agent (a reconnect opens new ones).
                tunnels.closeAll();
                if (!stopping) {
                    AgentLog.warn("disconnected: %s", reason);
                }
                backoff.reset();
            } catch (Exception e) {
                ConnectFailure failure = ConnectFailure.of(e);
                AgentLog.warn("%s", failure.message());
                if (failure.keyRefused()) {
                    return 2;
                }
            }
            if (stopping) {
                break;
            }
            next = (next + 1) % hubs.size(); // with several hubs, a lost one is replaced by the next
            long wait = backoff.next();
            AgentLog.info("reconnecting in %.1f s", wait / 1000.0);
            sleep(wait);
        }
        return 0;
    }

    /** Stops taking tasks, lets running ones finish for up to {@code drain}, then disconnects. */
    public void stop(Duration drain) {
        stopping = true;
        try {
            tasks.drain(drain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replicas.stopAll();
        hub.deliverUndelivered();
        hub.close("agent shutting down");
        tasks.shutdown();
        models.stop();
        timers.shutdown();
        AgentLog.info("stopped");
    }

    /** Routes what the hub says to the part of the agent it concerns. */
    private void onMessage(HubMessage message) {
        switch (message) {
            case HubMessage.Welcome w -> {
                heartbeatInterval = Duration.ofSeconds(Math.max(1, w.heartbeatIntervalSeconds()));
                silenceLimit = Duration.ofSeconds(Math.max(2, w.silenceLimitSeconds()));
                AgentLog.info("connected to %s (session %s)", w.hubId(), w.sessionId());
                hub.welcomed();
                if (unhealthy != null) {
                    hub.send(new AgentMessage.StatusUpdate(AgentStatus.UNHEALTHY, null, unhealthy, null));
                }
                replicas.report();
            }
            case HubMessage.Dispatch d -> tasks.dispatch(d, refusal());
            case HubMessage.Cancel c -> tasks.cancel(c);
            case HubMessage.UploadUrls u -> tasks.uploadUrls(u);
            case HubMessage.Refusal r -> AgentLog.warn("the hub refused a message: %s (%s)", r.message(), r.code());
            case HubMessage.ModelSync m -> models.requested(m.models());
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

    /** Why the agent as a whole takes no task now, or null. */
    private String refusal() {
        return stopping ? "the agent is shutting down"
                : unhealthy != null ? "the agent is unhealthy: " + unhealthy
                : tunnels.anyOpen() ? "an interactive tunnel is open on this agent"
                : null;
    }

    /** The status to report when not syncing: unhealthy while a tool does not answer; idle or busy otherwise (the hub counts). */
    private AgentStatus readyStatus() {
        return unhealthy != null ? AgentStatus.UNHEALTHY : tunnels.anyOpen() ? AgentStatus.TUNNEL
                : tasks.isIdle() ? AgentStatus.IDLE : AgentStatus.BUSY;
    }

    /** The configured labels and those the agent derives from its tools and the GPUs in {@code stats}. */
    private List<String> labels(SystemStats stats) {
        return AgentLabels.derive(config.agentLabels, runtimes.keySet().stream().sorted().toList(), stats.gpuDevices());
    }

    /**
     * Hello reports the tasks the agent holds: those running, and those whose result waits to be delivered (the hub
     * accepts a result only for a task the agent reported).
     */
    private AgentMessage.Hello hello() {
        Set<RunningTask> held = new LinkedHashSet<>(tasks.runningTasks());
        held.addAll(hub.awaitingDelivery());
        SystemStats stats = systemStats;
        for (TaskRuntime runtime : runtimes.values()) {
            stats = runtime.describe(stats);
        }
        String tool = runtimes.containsKey("comfyui") ? "comfyui" : "exec";
        return new AgentMessage.Hello(AgentProtocol.VERSION, config.agentId, labels(stats), version, tool,
                "comfyui".equals(tool) ? stats.comfyuiVersion() : null, config.gpuCapacity, stats, List.copyOf(held), models.present());
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
        if (Objects.equals(before, problem)) {
            return;
        }
        unhealthy = problem;
        if (problem != null) {
            AgentLog.warn("unhealthy: %s; taking no tasks until it recovers", problem);
            hub.send(new AgentMessage.StatusUpdate(AgentStatus.UNHEALTHY, null, problem, null));
        } else if (before != null) {
            AgentLog.info("healthy again; taking tasks");
            hub.send(new AgentMessage.StatusUpdate(readyStatus(), null, null, null));
        }
    }

    /**
     * The agent's lease on its tasks: the platform gives a silent agent's tasks to others after the silence limit,
     * counted from the last message it got. An agent that has heard nothing from the hub for the silence limit minus
     * one heartbeat interval stops its tasks, so a task never runs on two agents at once. Their failures are reported
     * after the next welcome (and retried by the platform if they may be).
     */
    private void checkLease() {
        Duration lease = silenceLimit.minus(heartbeatInterval);
        if (!tasks.isIdle() && System.nanoTime() - hub.lastHeard() >= lease.toNanos()) {
            tasks.loseAll(lease);
        }
    }

    private void heartbeat() {
        checkLease();
        HubConnection c = hub.live();
        if (c == null) {
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
        hub.send(new AgentMessage.Heartbeat(tasks.runningTasks()));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
