package io.cyberun.agenthub.service;

import io.cyberun.agenthub.config.HubConfig;
import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.messaging.HubOutbound;
import io.cyberun.agenthub.containers.ReplicaReports;
import io.cyberun.agenthub.tunnel.TunnelSessions;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.AgentVersions;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.AgentProtocol;
import io.cyberun.contracts.protocol.HubMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The hub's side of an agent's connection: hello and welcome, status, heartbeats, and the connection's end (closed,
 * key revoked, dropped after the silence limit). What the agent says about its tasks goes to {@link TaskReports},
 * about tunnels to {@link TunnelSessions} and about container replicas to {@link ReplicaReports}; the scheduler's
 * commands reach it through {@link CommandDelivery}.
 */
@ApplicationScoped
public class AgentProtocolHandler {
    private static final Logger LOG = Logger.getLogger(AgentProtocolHandler.class);
    static final Pattern AGENT_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");
    static final Pattern LABEL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$");
    static final int MAX_CAPACITY = 64;

    private final AgentConnections connections;
    private final HubConfig config;
    private final HubOutbound out;
    private final AgentDirectory directory;
    private final Clock clock;
    private final TaskReports reports;
    private final CommandDelivery commands;
    private final TunnelSessions tunnels;
    private final ReplicaReports replicaReports;

    public AgentProtocolHandler(AgentConnections connections, HubConfig config, HubOutbound out, AgentDirectory directory, Clock clock,
                                MeterRegistry metrics, TaskReports reports, CommandDelivery commands, TunnelSessions tunnels,
                                ReplicaReports replicaReports) {
        this.connections = connections;
        this.config = config;
        this.out = out;
        this.directory = directory;
        this.clock = clock;
        this.reports = reports;
        this.commands = commands;
        this.tunnels = tunnels;
        this.replicaReports = replicaReports;
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
            case AgentMessage.TaskAccepted a -> reports.accepted(s, a);
            case AgentMessage.TaskRejected r -> reports.rejected(s, r);
            case AgentMessage.TaskProgress p -> reports.progress(s, p);
            case AgentMessage.TaskLog l -> reports.log(s, l);
            case AgentMessage.TaskPreview p -> reports.preview(s, p);
            case AgentMessage.UploadRequest u -> reports.upload(s, u);
            case AgentMessage.TaskCompleted c -> reports.completed(s, c);
            case AgentMessage.TaskFailed f -> reports.failed(s, f);
            case AgentMessage.TaskCancelled c -> reports.cancelled(s, c);
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
                .call(() -> commands.syncModels(s));
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


}
