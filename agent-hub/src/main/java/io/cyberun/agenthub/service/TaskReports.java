package io.cyberun.agenthub.service;

import io.cyberun.agenthub.client.FileServiceClient;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.messaging.HubOutbound;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.files.OutputUploadRequest;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.PreviewInfo;
import io.cyberun.contracts.task.TaskOutputFile;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * What agents report about their tasks, passed on to the platform: acknowledgements and refusals of dispatches,
 * progress, logs and previews, upload URLs for outputs, and how each attempt ended. A report counts only for an
 * attempt the agent actually holds; results become transition requests on Kafka, progress goes on as best-effort
 * reports, thinned per task.
 */
@ApplicationScoped
public class TaskReports {
    private static final Logger LOG = Logger.getLogger(TaskReports.class);
    static final int MAX_LOG_LINES_PER_MESSAGE = 200;
    static final int MAX_LOG_LINE = 4096;
    /** Progress of one task is forwarded at most this often within a stage; the last one (1.0) and a new stage always are. */
    static final long PROGRESS_INTERVAL_MILLIS = 200;
    /** Previews of one task are kept at most this often (agents send at most one a second). */
    static final long PREVIEW_INTERVAL_MILLIS = 500;

    private final HubOutbound out;
    private final AgentDirectory directory;
    private final FileServiceClient files;
    private final AgentPrincipals agents;
    private final TaskPreviews previews;
    private final Clock clock;
    /** When each running task's progress was last forwarded, and in which stage. */
    private final Map<UUID, Forwarded> lastProgress = new ConcurrentHashMap<>();
    /** When each running task's last preview was kept. */
    private final Map<UUID, Long> lastPreview = new ConcurrentHashMap<>();

    private record Forwarded(long at, String stage) {
    }

    public TaskReports(HubOutbound out, AgentDirectory directory, @RestClient FileServiceClient files, AgentPrincipals agents,
                       TaskPreviews previews, Clock clock) {
        this.out = out;
        this.directory = directory;
        this.files = files;
        this.agents = agents;
        this.previews = previews;
        this.clock = clock;
    }

    public Uni<Void> accepted(AgentSession s, AgentMessage.TaskAccepted a) {
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

    public Uni<Void> rejected(AgentSession s, AgentMessage.TaskRejected r) {
        if (!s.dispatched().remove(r.taskId(), r.attempt())) {
            return Uni.createFrom().voidItem();
        }
        return out.transition(new TaskTransition.Requeue(r.taskId(), s.teamId(), s.agentId(), r.attempt(),
                        "agent " + s.agentId() + " refused the task: " + (r.reason() == null ? "no reason given" : r.reason())))
                .invoke(() -> directory.changed(s));
    }

    public Uni<Void> progress(AgentSession s, AgentMessage.TaskProgress p) {
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
    public Uni<Void> preview(AgentSession s, AgentMessage.TaskPreview p) {
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

    public Uni<Void> log(AgentSession s, AgentMessage.TaskLog l) {
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

    public Uni<Void> upload(AgentSession s, AgentMessage.UploadRequest u) {
        if (!s.runs(u.taskId(), u.attempt())) {
            return s.connection().sendText(new HubMessage.UploadUrls(u.requestId(), u.taskId(), List.of(),
                    "attempt " + u.attempt() + " of task " + u.taskId() + " is not running on this agent"));
        }
        List<OutputUploadRequest.OutputFile> wanted = u.files() == null ? List.of()
                : u.files().stream().map(f -> new OutputUploadRequest.OutputFile(f.name(), f.size(), f.contentType())).toList();
        return files.outputUploads(agents.tokenFor(s), u.taskId(), new OutputUploadRequest(wanted))
                .map(targets -> (HubMessage) new HubMessage.UploadUrls(u.requestId(), u.taskId(), targets.targets().stream()
                        .map(t -> new HubMessage.UploadTarget(t.name(), t.storageKey(), t.url(), t.headers(), t.expiresAt())).toList(), null))
                .onFailure().recoverWithItem(e -> new HubMessage.UploadUrls(u.requestId(), u.taskId(), List.of(),
                        "upload URLs refused: " + e.getMessage()))
                .flatMap(reply -> s.connection().sendText(reply));
    }

    public Uni<Void> completed(AgentSession s, AgentMessage.TaskCompleted c) {
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

    public Uni<Void> failed(AgentSession s, AgentMessage.TaskFailed f) {
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

    public Uni<Void> cancelled(AgentSession s, AgentMessage.TaskCancelled c) {
        s.running().remove(c.taskId(), c.attempt());
        s.dispatched().remove(c.taskId(), c.attempt());
        lastProgress.remove(c.taskId());
        lastPreview.remove(c.taskId());
        s.finished(c.taskId(), c.attempt());
        directory.changed(s);
        return Uni.createFrom().voidItem();
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
