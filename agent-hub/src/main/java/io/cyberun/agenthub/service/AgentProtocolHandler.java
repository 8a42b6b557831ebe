package io.cyberun.agenthub.service;

import io.cyberun.agenthub.client.FileServiceClient;
import io.cyberun.agenthub.config.HubConfig;
import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.messaging.HubOutbound;
import io.cyberun.agenthub.tunnel.TunnelSessions;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.AgentVersions;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.PrincipalTokens;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.files.DownloadLinksRequest;
import io.cyberun.contracts.files.OutputUploadRequest;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.AgentProtocol;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.PreviewInfo;
import io.cyberun.contracts.task.TaskOutputFile;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * The hub's side of the agent protocol: hello and welcome, heartbeats, and every task message, which it accepts
 * only for a dispatch attempt the agent actually holds. It turns them into transition requests and progress
 * reports on Kafka, and delivers dispatch and cancel commands to the agents it holds.
 */
@ApplicationScoped
public class AgentProtocolHandler {
    private static final Logger LOG = Logger.getLogger(AgentProtocolHandler.class);
    static final Pattern AGENT_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");
    static final Pattern LABEL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$");
    static final int MAX_CAPACITY = 64;
    static final int MAX_LOG_LINES_PER_MESSAGE = 200;
    static final int MAX_LOG_LINE = 4096;
    /** Progress of one task is forwarded at most this often within a stage; the last one (1.0) and a new stage always are. */
    static final long PROGRESS_INTERVAL_MILLIS = 200;
    /** Previews of one task are kept at most this often (agents send at most one a second). */
    static final long PREVIEW_INTERVAL_MILLIS = 500;

    private final AgentConnections connections;
    private final HubConfig config;
    private final HubOutbound out;
    private final AgentDirectory directory;
    private final FileServiceClient files;
    private final PrincipalTokens tokens;
    private final Clock clock;
    /** When each running task's progress was last forwarded, and in which stage. */
    private final Map<UUID, Forwarded> lastProgress = new ConcurrentHashMap<>();
    /** When each running task's last preview was kept. */
    private final Map<UUID, Long> lastPreview = new ConcurrentHashMap<>();
    private final TaskPreviews previews;

    private record Forwarded(long at, String stage) {
    }

    private final TunnelSessions tunnels;

    private final io.cyberun.agenthub.containers.ReplicaReports replicaReports;

    public AgentProtocolHandler(AgentConnections connections, HubConfig config, HubOutbound out, AgentDirectory directory,
                                @RestClient FileServiceClient files, PrincipalTokens tokens, Clock clock, MeterRegistry metrics,
                                TaskPreviews previews, TunnelSessions tunnels, io.cyberun.agenthub.containers.ReplicaReports replicaReports) {
        this.replicaReports = replicaReports;
        this.previews = previews;
        this.tunnels = tunnels;
        this.connections = connections;
        this.config = config;
        this.out = out;
        this.directory = directory;
        this.files = files;
        this.tokens = tokens;
        this.clock = clock;
        metrics.gauge("cyberun.hub.connected.agents", connections, AgentConnections::openConnections);
    }

    public Uni<Void> handle(AgentSession s, AgentMessage message) {
        if (s.revoked()) {
            return Uni.createFrom().voidItem(); // in flight when its key was revoked
        }
        s.seen(clock.instant());
        if (!s.isHello() && !(message instanceof AgentMessage.Hello)) {
            return refuseAndClose(s, "hello_first", "the first message must be hello");
        }
        return switch (message) {
            case AgentMessage.Hello h -> hello(s, h);
            // Its time (lastSeen) is in the record the directory renews every few seconds.
            case AgentMessage.Heartbeat h -> Uni.createFrom().voidItem();
            case AgentMessage.StatusUpdate u -> status(s, u);
            case AgentMessage.TaskAccepted a -> accepted(s, a);
            case AgentMessage.TaskRejected r -> rejected(s, r);
            case AgentMessage.TaskProgress p -> progress(s, p);
            case AgentMessage.TaskLog l -> log(s, l);
            case AgentMessage.TaskPreview p -> preview(s, p);
            case AgentMessage.UploadRequest u -> upload(s, u);
            case AgentMessage.TaskCompleted c -> completed(s, c);
            case AgentMessage.TaskFailed f -> failed(s, f);
            case AgentMessage.TaskCancelled c -> cancelled(s, c);
            case AgentMessage.TunnelState t -> tunnels.reported(s, t);
            case AgentMessage.ReplicaStates r -> replicaReports.reported(s, r);
        };
    }

    private Uni<Void> hello(AgentSession s, AgentMessage.Hello h) {
        if (s.isHello()) {
            return refuse(s, "duplicate_hello", "hello was already received on this connection");
        }
        String problem = helloProblem(h);
        if (problem != null) {
            return refuseAndClose(s, "bad_hello", problem);
        }
        Instant now = clock.instant();
        List<RunningTask> running = h.runningTasks() == null ? List.of() : h.runningTasks();
        s.hello(h.agentId(), h.labels() == null ? List.of() : h.labels(), h.gpuCapacity(), h.systemStats(),
                new AgentVersions(h.agentVersion(), h.tool(), h.toolVersion(), h.systemStats() == null ? null : h.systemStats().comfyuiVersion()),
                running, now);
        s.models(h.models());
        Uni<Void> replaced = connections.introduce(s).map(previous -> {
            // Dispatches the old connection still waited for carry over: the agent may acknowledge them here.
            previous.dispatched().forEach((task, attempt) -> s.dispatched().putIfAbsent(task, attempt));
            LOG.infof("agent %s/%s reconnected; closing its previous connection", s.teamId(), s.agentId());
            return previous.connection().isOpen() ? previous.connection().close() : Uni.createFrom().voidItem();
        }).orElse(Uni.createFrom().voidItem());
        LOG.infof("agent %s of team %s connected (session %s, labels %s, capacity %d, running %d)",
                s.agentId(), s.teamId(), s.sessionId(), s.labels(), s.capacity(), running.size());
        return replaced
                // A new connection has no tunnels (the agent forgot its sessions when the last connection ended, here or on
                // a replica that died): their URLs stop working rather than point at streams nobody serves.
                .call(() -> tunnels.agentGone(s.teamId(), s.agentId()))
                .call(() -> s.connection().sendText(new HubMessage.Welcome(AgentProtocol.VERSION, directory.hubId(), s.sessionId(),
                        (int) config.heartbeatInterval().toSeconds(), (int) config.silenceLimit().toSeconds())))
                .call(() -> directory.announce(s))
                .call(() -> out.agentEvent(new AgentEvent.Connected(s.teamId(), s.agentId(), directory.hubId(), s.sessionId(), now,
                        s.labels(), s.capacity(), s.status(), s.heldTasks(), s.systemStats(), s.versions(), h.models())))
                .call(() -> syncModels(s));
    }

    /**
     * Sends the team's active models to the agent, which downloads what it lacks and reports what it has. Sent on
     * every connect and when a task provisions on the agent. If file-service cannot be reached the agent keeps what
     * it has; a provisioning task then waits for the next sync or the agent's departure.
     */
    private Uni<Void> syncModels(AgentSession s) {
        return files.modelManifest(agentToken(s))
                .flatMap(manifest -> s.connection().sendText(new HubMessage.ModelSync(manifest.models())))
                .onFailure().invoke(e -> LOG.warnf("model sync for agent %s/%s not sent: %s", s.teamId(), s.agentId(), e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> status(AgentSession s, AgentMessage.StatusUpdate u) {
        if (u.status() == null) {
            return refuse(s, "bad_status", "status must be one of idle, busy, syncing, tunnel, unhealthy");
        }
        AgentStatus before = s.status();
        s.reportStatus(u.status(), u.syncPhase(), u.syncDetail(), u.syncPercent());
        directory.changed(s);
        Uni<Void> published = Uni.createFrom().voidItem();
        if (u.models() != null) {
            s.models(u.models());
            // The end of a model sync: the scheduler learns what the agent has, whether or not its status changed.
            return published.call(() -> out.agentEvent(new AgentEvent.StatusChanged(s.teamId(), s.agentId(), directory.hubId(), s.sessionId(),
                    clock.instant(), s.status(), s.runningTasks(), List.copyOf(u.models()))));
        }
        return before == s.status() ? published : published.call(() -> announceStatus(s));
    }

    private Uni<Void> accepted(AgentSession s, AgentMessage.TaskAccepted a) {
        if (s.runs(a.taskId(), a.attempt())) {
            // The same acknowledgement again (of a dispatch that was repeated): the attempt runs here, nothing to do.
            return Uni.createFrom().voidItem();
        }
        Integer attempt = s.dispatched().get(a.taskId());
        if (attempt == null || attempt != a.attempt()) {
            // A late acknowledgement of an attempt that went back to the queue (or never came here): refused.
            LOG.infof("agent %s acknowledged attempt %d of task %s, which it does not hold; telling it to stop",
                    s.agentId(), a.attempt(), a.taskId());
            return s.connection().sendText(new HubMessage.Cancel(a.taskId(), a.attempt(), "this dispatch is no longer valid"));
        }
        s.dispatched().remove(a.taskId());
        s.running().put(a.taskId(), a.attempt());
        return out.transition(new TaskTransition.Start(a.taskId(), s.teamId(), s.agentId(), a.attempt()))
                .invoke(() -> directory.changed(s));
    }

    private Uni<Void> rejected(AgentSession s, AgentMessage.TaskRejected r) {
        if (!s.dispatched().remove(r.taskId(), r.attempt())) {
            return Uni.createFrom().voidItem();
        }
        return out.transition(new TaskTransition.Requeue(r.taskId(), s.teamId(), s.agentId(), r.attempt(),
                        "agent " + s.agentId() + " refused the task: " + (r.reason() == null ? "no reason given" : r.reason())))
                .invoke(() -> directory.changed(s));
    }

    private Uni<Void> progress(AgentSession s, AgentMessage.TaskProgress p) {
        if (!s.runs(p.taskId(), p.attempt()) || p.progress() == null) {
            return Uni.createFrom().voidItem();
        }
        long now = clock.millis();
        Forwarded last = lastProgress.get(p.taskId());
        // A new stage (Nerfstudio's process_data after download) always goes on: only reports within a stage are thinned.
        if (last != null && now - last.at() < PROGRESS_INTERVAL_MILLIS && p.progress().progress() < 1.0
                && Objects.equals(last.stage(), p.progress().stage())) {
            return Uni.createFrom().voidItem();
        }
        lastProgress.put(p.taskId(), new Forwarded(now, p.progress().stage()));
        return forward(new ProgressReport.Progress(p.taskId(), s.teamId(), s.agentId(), p.attempt(), clock.instant(), p.progress()));
    }

    /**
     * A preview image: kept in Redis (the latest per task) and announced as a small report that task-service numbers
     * into the task's events. At most one per task every {@link #PREVIEW_INTERVAL_MILLIS}; other images, images of
     * another type or larger than {@link PreviewInfo#MAX_BYTES} are dropped. Best effort: a failure loses this one.
     */
    private Uni<Void> preview(AgentSession s, AgentMessage.TaskPreview p) {
        if (!s.runs(p.taskId(), p.attempt()) || p.image() == null || p.image().length == 0 || p.image().length > PreviewInfo.MAX_BYTES
                || !PreviewInfo.CONTENT_TYPES.contains(p.contentType())) {
            return Uni.createFrom().voidItem();
        }
        long now = clock.millis();
        Long last = lastPreview.get(p.taskId());
        if (last != null && now - last < PREVIEW_INTERVAL_MILLIS) {
            return Uni.createFrom().voidItem();
        }
        lastPreview.put(p.taskId(), now);
        String node = p.nodeId() == null || p.nodeId().length() > 64 ? null : p.nodeId();
        PreviewInfo info = new PreviewInfo(UUID.randomUUID().toString(), p.contentType(), p.image().length, node);
        previews.store(s.teamId(), p.taskId(), info, p.image()).subscribe().with(
                stored -> forward(new ProgressReport.Preview(p.taskId(), s.teamId(), s.agentId(), p.attempt(), clock.instant(), info)),
                e -> LOG.debugf("a preview of task %s was not kept: %s", p.taskId(), e.getMessage()));
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> log(AgentSession s, AgentMessage.TaskLog l) {
        if (!s.runs(l.taskId(), l.attempt()) || l.lines() == null || l.lines().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return forward(new ProgressReport.Logs(l.taskId(), s.teamId(), s.agentId(), l.attempt(), clock.instant(), bounded(l.lines())));
    }

    /**
     * Hands a progress or log report to Kafka without waiting for the broker: a connection's messages are handled one
     * at a time, and waiting for each report's acknowledgement capped a connection at one report per broker round trip.
     * Reports are best effort (a newer one supersedes an older one); results and acknowledgements still wait.
     */
    private Uni<Void> forward(ProgressReport report) {
        out.progress(report).subscribe().with(ok -> { }, e -> LOG.debugf("a progress report of task %s was not sent: %s", report.taskId(),
                e.getMessage()));
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> upload(AgentSession s, AgentMessage.UploadRequest u) {
        if (!s.runs(u.taskId(), u.attempt())) {
            return s.connection().sendText(new HubMessage.UploadUrls(u.requestId(), u.taskId(), List.of(),
                    "attempt " + u.attempt() + " of task " + u.taskId() + " is not running on this agent"));
        }
        List<OutputUploadRequest.OutputFile> wanted = u.files() == null ? List.of()
                : u.files().stream().map(f -> new OutputUploadRequest.OutputFile(f.name(), f.size(), f.contentType())).toList();
        return files.outputUploads(agentToken(s), u.taskId(), new OutputUploadRequest(wanted))
                .map(targets -> (HubMessage) new HubMessage.UploadUrls(u.requestId(), u.taskId(), targets.targets().stream()
                        .map(t -> new HubMessage.UploadTarget(t.name(), t.storageKey(), t.url(), t.headers(), t.expiresAt())).toList(), null))
                .onFailure().recoverWithItem(e -> new HubMessage.UploadUrls(u.requestId(), u.taskId(), List.of(),
                        "upload URLs refused: " + e.getMessage()))
                .flatMap(reply -> s.connection().sendText(reply));
    }

    private Uni<Void> completed(AgentSession s, AgentMessage.TaskCompleted c) {
        if (!s.running().remove(c.taskId(), c.attempt())) {
            return Uni.createFrom().voidItem();
        }
        s.finished(c.taskId(), c.attempt());
        lastProgress.remove(c.taskId());
        lastPreview.remove(c.taskId());
        List<TaskOutputFile> outputs = c.outputs() == null ? List.of() : c.outputs();
        String folder = "teams/" + s.teamId() + "/tasks/" + c.taskId() + "/outputs/";
        if (outputs.stream().anyMatch(o -> o.storageKey() == null || !o.storageKey().startsWith(folder) || o.storageKey().contains(".."))) {
            return out.transition(new TaskTransition.Fail(c.taskId(), s.teamId(), s.agentId(), c.attempt(),
                    "the agent reported outputs outside the task's folder", false, List.of())).invoke(() -> directory.changed(s));
        }
        s.completedOne();
        return out.transition(new TaskTransition.Complete(c.taskId(), s.teamId(), s.agentId(), c.attempt(), outputs))
                .invoke(() -> directory.changed(s));
    }

    private Uni<Void> failed(AgentSession s, AgentMessage.TaskFailed f) {
        if (!s.running().remove(f.taskId(), f.attempt()) && !s.dispatched().remove(f.taskId(), f.attempt())) {
            return Uni.createFrom().voidItem();
        }
        s.finished(f.taskId(), f.attempt());
        lastProgress.remove(f.taskId());
        lastPreview.remove(f.taskId());
        String error = f.error() == null || f.error().isBlank() ? "the task failed on agent " + s.agentId() : f.error();
        return out.transition(new TaskTransition.Fail(f.taskId(), s.teamId(), s.agentId(), f.attempt(), truncate(error, 4000), true,
                        f.lastLogs() == null ? List.of() : bounded(f.lastLogs())))
                .invoke(() -> directory.changed(s));
    }

    private Uni<Void> cancelled(AgentSession s, AgentMessage.TaskCancelled c) {
        s.running().remove(c.taskId(), c.attempt());
        s.dispatched().remove(c.taskId(), c.attempt());
        lastProgress.remove(c.taskId());
        lastPreview.remove(c.taskId());
        s.finished(c.taskId(), c.attempt());
        directory.changed(s);
        return Uni.createFrom().voidItem();
    }

    /** Delivers a command if this replica holds the agent; other replicas ignore it. */
    public Uni<Void> command(AgentCommand command) {
        return connections.current(command.teamId(), command.agentId())
                .filter(s -> !s.closed())
                .map(s -> switch (command) {
                    // A dispatch repeated after its attempt ended here (a redelivered command) must not run it again.
                    case AgentCommand.Dispatch d when s.hasFinished(d.taskId(), d.attempt()) -> {
                        LOG.debugf("dispatch of task %s attempt %d dropped: the attempt already ended on agent %s", d.taskId(), d.attempt(),
                                s.agentId());
                        yield Uni.createFrom().<Void>voidItem();
                    }
                    // A dispatch repeated (a scheduler that restarted sends its placements again) while the attempt runs here.
                    case AgentCommand.Dispatch d when s.runs(d.taskId(), d.attempt()) -> {
                        LOG.debugf("dispatch of task %s attempt %d dropped: the attempt already runs on agent %s", d.taskId(), d.attempt(),
                                s.agentId());
                        yield Uni.createFrom().<Void>voidItem();
                    }
                    case AgentCommand.Dispatch d -> inputsOf(s, d)
                            .invoke(() -> s.dispatched().put(d.taskId(), d.attempt()))
                            .call(inputs -> s.connection().sendText(new HubMessage.Dispatch(d.taskId(), d.attempt(), d.spec(), inputs)))
                            .invoke(() -> directory.changed(s))
                            .replaceWithVoid()
                            // Not sent: the dispatch is never acknowledged, so the scheduler requeues it after the ack timeout.
                            .onFailure().invoke(e -> LOG.warnf("dispatch of task %s to agent %s not sent: %s", d.taskId(), s.agentId(),
                                    e.getMessage()))
                            .onFailure().recoverWithNull();
                    case AgentCommand.SyncModels m -> syncModels(s);
                    case AgentCommand.StartReplica r -> s.connection().sendText(new HubMessage.ReplicaStart(r.replica()));
                    case AgentCommand.StopReplica r -> s.connection().sendText(new HubMessage.ReplicaStop(r.serviceId(), r.replicaId()));
                    case AgentCommand.Cancel c -> {
                        boolean held = s.dispatched().remove(c.taskId(), c.attempt()) | s.running().remove(c.taskId(), c.attempt());
                        yield held ? s.connection().sendText(new HubMessage.Cancel(c.taskId(), c.attempt(), c.reason()))
                                .invoke(() -> directory.changed(s)) : Uni.createFrom().<Void>voidItem();
                    }
                })
                .orElse(Uni.createFrom().voidItem());
    }

    /** Download URLs for the files of the task's {@code file} parameters, minted as the agent (so only its team's). */
    private Uni<List<HubMessage.InputFile>> inputsOf(AgentSession s, AgentCommand.Dispatch d) {
        Map<String, String> keys = d.spec() == null ? Map.of() : d.spec().fileInputs();
        if (keys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return files.downloads(agentToken(s), new DownloadLinksRequest(List.copyOf(new java.util.LinkedHashSet<>(keys.values()))))
                .map(links -> {
                    Map<String, String> urls = new HashMap<>();
                    links.links().forEach(l -> urls.put(l.storageKey(), l.url()));
                    return keys.entrySet().stream().map(e -> new HubMessage.InputFile(e.getKey(), e.getValue(),
                            e.getValue().substring(e.getValue().lastIndexOf('/') + 1), urls.get(e.getValue()))).toList();
                });
    }

    private String agentToken(AgentSession s) {
        return tokens.sign(new Principal(s.agentId(), s.teamId(), null, CredentialKind.AGENT, s.credentialId()));
    }

    /** The connection closed: the agent has the silence limit to come back before it is dropped. */
    public void closed(AgentSession s) {
        s.markClosed();
        connections.connectionClosed(s);
        if (s.isHello() && connections.isCurrent(s)) {
            // A tunnel's streams ride on this connection: its sessions end with it (the agent forgets them too).
            tunnels.agentGone(s.teamId(), s.agentId()).subscribe().with(ok -> { }, e -> LOG.debugf("forgetting tunnels failed: %s", e.getMessage()));
        }
    }

    /**
     * The session's agent key was revoked or has expired: the agent is told why, disconnected and dropped at once
     * (no reconnect grace: it cannot come back with that key), so its tasks are requeued or failed.
     */
    public Uni<Void> keyRevoked(AgentSession s) {
        LOG.infof("closing the connection of agent %s of team %s: its agent key is no longer active", s.agentId(), s.teamId());
        s.markRevoked();
        return refuseAndClose(s, "credential_revoked", "this agent key was revoked or has expired: install a new ak- key")
                .onFailure().recoverWithNull()
                .call(() -> s.isHello() ? drop(s, "its agent key was revoked") : Uni.createFrom().voidItem());
    }

    /** Drops an agent that stayed away: its tasks are failed or requeued by the scheduler. */
    public Uni<Void> drop(AgentSession s, String reason) {
        if (!connections.forget(s)) {
            return Uni.createFrom().voidItem();
        }
        LOG.infof("agent %s of team %s dropped: %s", s.agentId(), s.teamId(), reason);
        return directory.remove(s).call(() -> out.agentEvent(new AgentEvent.Disconnected(s.teamId(), s.agentId(), directory.hubId(),
                s.sessionId(), clock.instant(), reason, s.heldTasks())));
    }

    private Uni<Void> announceStatus(AgentSession s) {
        return out.agentEvent(new AgentEvent.StatusChanged(s.teamId(), s.agentId(), directory.hubId(), s.sessionId(), clock.instant(),
                s.status(), s.runningTasks()));
    }

    private Uni<Void> refuse(AgentSession s, String code, String message) {
        return s.connection().sendText(new HubMessage.Refusal(code, message));
    }

    private Uni<Void> refuseAndClose(AgentSession s, String code, String message) {
        return refuse(s, code, message).call(() -> s.connection().close());
    }

    static String helloProblem(AgentMessage.Hello h) {
        if (h.protocolVersion() != AgentProtocol.VERSION) {
            return "protocol version " + h.protocolVersion() + " is not supported; this hub speaks " + AgentProtocol.VERSION;
        }
        if (h.agentId() == null || !AGENT_ID.matcher(h.agentId()).matches()) {
            return "agent_id must be 1-100 letters, digits, . _ - and start with a letter or digit";
        }
        if (h.gpuCapacity() < 1 || h.gpuCapacity() > MAX_CAPACITY) {
            return "gpu_capacity must be between 1 and " + MAX_CAPACITY;
        }
        List<String> labels = h.labels() == null ? List.of() : h.labels();
        if (labels.size() > 32 || labels.stream().anyMatch(l -> l == null || !LABEL.matcher(l).matches())) {
            return "labels must be at most 32 of 1-64 letters, digits, . _ : -";
        }
        return null;
    }

    private static List<LogLine> bounded(List<LogLine> lines) {
        List<LogLine> tail = lines.subList(Math.max(0, lines.size() - MAX_LOG_LINES_PER_MESSAGE), lines.size());
        return tail.stream().map(l -> l.text() != null && l.text().length() > MAX_LOG_LINE
                ? new LogLine(l.at(), l.stream(), l.text().substring(0, MAX_LOG_LINE)) : l).toList();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
