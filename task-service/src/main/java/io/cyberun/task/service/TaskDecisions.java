package io.cyberun.task.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.stream.TaskStreamEvent;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.config.RetryConfig;
import io.cyberun.task.domain.Decision;
import io.cyberun.task.domain.RetryBackoff;
import io.cyberun.task.domain.TaskCommand;
import io.cyberun.task.domain.TaskState;
import io.cyberun.task.domain.TaskStateMachine;
import io.cyberun.task.model.TaskRow;
import io.cyberun.task.repository.TaskStore.EventRow;
import io.cyberun.task.repository.WebhookQueue;
import io.cyberun.task.webhook.WebhookService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Decides changes on locked task rows: asks the {@link TaskStateMachine} about each, in order, writes what it
 * decided onto the rows (status, attempt, times, outputs, the log tail), and makes the events (one per step, plus
 * the platform's own log notes) and the webhook deliveries of a task that ended. No I/O: {@link TaskChanges} locks,
 * writes and commits.
 */
@ApplicationScoped
public class TaskDecisions {
    private static final Logger LOG = Logger.getLogger(TaskDecisions.class);
    /** How many log lines a task keeps (the tail a failed task shows). */
    public static final int LOG_TAIL = 100;
    /** How many of those a failed event carries. */
    static final int FAILED_EVENT_LOG_LINES = 20;
    private static final TypeReference<List<LogLine>> LOG_LINES = new TypeReference<>() { };
    /** The stream name of the lines the platform itself writes to a task's log. */
    public static final String PLATFORM_STREAM = "cyberun";

    private final EventMessages messages;
    private final InstanceIdentity identity;
    private final WebhookService webhooks;
    private final ObjectMapper json;
    private final Clock clock;
    private final RetryBackoff backoff;
    private final java.util.function.DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();

    public TaskDecisions(EventMessages messages, InstanceIdentity identity, WebhookService webhooks, ObjectMapper json, Clock clock,
                         RetryConfig retries) {
        this.messages = messages;
        this.identity = identity;
        this.webhooks = webhooks;
        this.json = json;
        this.clock = clock;
        this.backoff = new RetryBackoff(retries.initial(), retries.max());
    }

    /** Decides every change on the locked tasks, in order; a change for a task not there (or of another team) is ignored. */
    Work decide(Map<UUID, TaskRow> rows, List<TaskChanges.Change> changes) {
        Work work = new Work(clock.instant());
        for (TaskChanges.Change change : changes) {
            TaskRow task = rows.get(change.taskId());
            if (task == null || (change.teamId() != null && !task.teamId.equals(change.teamId()))) {
                LOG.debugf("%s for unknown task %s ignored", change.getClass().getSimpleName(), change.taskId());
                continue;
            }
            switch (change) {
                case TaskChanges.Transition t -> decide(task, command(t.transition()), t.transition() instanceof TaskTransition.Assign a ? a : null, work);
                case TaskChanges.Report r -> record(task, r.report(), work);
                case TaskChanges.Command c -> decide(task, c.command(), null, work);
            }
        }
        return work;
    }

    /** The changed tasks and the events of one transaction. */
    static final class Work {
        final Instant now;
        final Map<UUID, TaskRow> changed = new LinkedHashMap<>();
        final List<EventRow> events = new ArrayList<>();
        final List<WebhookQueue.Delivery> webhooks = new ArrayList<>();

        Work(Instant now) {
            this.now = now;
        }
    }

    static TaskCommand command(TaskTransition transition) {
        return switch (transition) {
            case TaskTransition.MarkWaiting w -> new TaskCommand.MarkWaiting(w.reason());
            case TaskTransition.Assign a -> new TaskCommand.Assign(a.agentId(), a.provision(), a.attempt());
            case TaskTransition.Start s -> new TaskCommand.Start(s.agentId(), s.attempt());
            case TaskTransition.Complete c -> new TaskCommand.Complete(c.agentId(), c.attempt(), c.outputs());
            case TaskTransition.Fail f -> new TaskCommand.Fail(f.agentId(), f.attempt(), f.error(), f.retryable(), f.lastLogs());
            case TaskTransition.Requeue r -> new TaskCommand.Requeue(r.agentId(), r.attempt(), r.reason());
        };
    }

    private void decide(TaskRow task, TaskCommand command, TaskTransition.Assign assignment, Work work) {
        List<Decision.Accepted> steps = TaskStateMachine.steps(task.state(), command);
        if (steps.isEmpty()) {
            if (assignment != null && task.gatewayId == null && task.attempt == assignment.attempt()
                    && Objects.equals(task.agentId, assignment.agentId())) {
                // The assignment came after the agent's report that implied it: keep where the task runs, no new event.
                describeAssignment(task, assignment);
                work.changed.put(task.id, task);
            }
            LOG.debugf("task %s: %s ignored", task.id, command.getClass().getSimpleName());
            return;
        }
        for (Decision.Accepted step : steps) {
            recordStep(task, step, command, assignment, work);
        }
        work.changed.put(task.id, task);
    }

    private void recordStep(TaskRow task, Decision.Accepted accepted, TaskCommand command, TaskTransition.Assign assignment, Work work) {
        TaskState before = task.state();
        TaskState next = accepted.next();
        Instant now = work.now;
        task.status = next.status();
        task.attempt = next.attempt();
        task.retryCount = next.retryCount();
        task.agentId = next.agentId();
        task.updatedAt = now;
        task.seq += 1;
        if (next.status() != TaskStatus.RUNNING) {
            task.deadlineAt = null;
        }
        TaskEvent event = switch (accepted.outcome()) {
            case STATUS_CHANGED, RETRYING -> {
                switch (next.status()) {
                    case QUEUED -> {
                        task.queuedAt = now;
                        if (assignment != null) {
                            describeAssignment(task, assignment);
                        }
                    }
                    case PROVISIONING -> {
                        if (assignment != null) {
                            describeAssignment(task, assignment);
                        }
                    }
                    case RUNNING -> {
                        task.startedAt = now;
                        task.deadlineAt = task.taskTimeout > 0 ? now.plusSeconds(task.taskTimeout) : null;
                    }
                    case PENDING -> {
                        task.queuedAt = null;
                        task.startedAt = null;
                        task.progress = null;
                        task.progressInfo = null;
                    }
                    default -> { }
                }
                Instant retryAt = accepted.outcome() == Decision.Outcome.RETRYING
                        ? now.plus(backoff.before(next.retryCount(), random)) : null;
                yield new TaskEvent.StatusChanged(task.id, task.teamId, task.seq, next.status(), now, before.status(),
                        next.agentId(), next.attempt(), next.retryCount(), accepted.reason(), retryAt);
            }
            case COMPLETED -> {
                TaskCommand.Complete complete = (TaskCommand.Complete) command;
                ObjectNode output = TaskStreamEvent.output(complete.outputs(), json);
                task.taskOutput = output.toString();
                task.progress = 1.0;
                task.completedAt = now;
                work.webhooks.add(new WebhookQueue.Delivery(task.teamId, task.id, WebhookService.COMPLETED,
                        webhooks.payload(task.id, TaskStatus.COMPLETED.wireName(), output, null, now, WebhookService.COMPLETED), now));
                yield new TaskEvent.Completed(task.id, task.teamId, task.seq, TaskStatus.COMPLETED, now, next.agentId(),
                        next.attempt(), complete.outputs());
            }
            case FAILED -> {
                if (command instanceof TaskCommand.Fail fail) {
                    appendToTail(task, fail.lastLogs());
                }
                task.taskError = accepted.reason();
                task.completedAt = now;
                List<LogLine> tail = tail(task.lastLogs);
                work.webhooks.add(new WebhookQueue.Delivery(task.teamId, task.id, WebhookService.FAILED,
                        webhooks.payload(task.id, TaskStatus.FAILED.wireName(), null, task.taskError, now, WebhookService.FAILED), now));
                yield new TaskEvent.Failed(task.id, task.teamId, task.seq, TaskStatus.FAILED, now, next.agentId(), next.attempt(),
                        accepted.reason(), tail.subList(Math.max(0, tail.size() - FAILED_EVENT_LOG_LINES), tail.size()));
            }
            case CANCELLED -> {
                task.completedAt = now;
                boolean agentHeldIt = before.status() == TaskStatus.QUEUED || before.status() == TaskStatus.RUNNING
                        || before.status() == TaskStatus.PROVISIONING;
                yield new TaskEvent.Cancelled(task.id, task.teamId, task.seq, TaskStatus.CANCELLED, now,
                        agentHeldIt ? before.agentId() : null, before.attempt(), before.status(), accepted.reason());
            }
        };
        work.events.add(row(event));
        String note = PlatformNotes.of(before, event, assignment);
        if (note != null) {
            LogLine line = new LogLine(now, PLATFORM_STREAM, note);
            appendToTail(task, List.of(line));
            task.seq += 1;
            work.events.add(row(new TaskEvent.Logged(task.id, task.teamId, task.seq, next.status(), now, List.of(line))));
        }
    }

    private void describeAssignment(TaskRow task, TaskTransition.Assign assignment) {
        task.gpuType = assignment.gpuType();
        task.gatewayId = assignment.gatewayId();
        task.agentLabels = assignment.agentLabels() == null ? null : json.valueToTree(assignment.agentLabels()).toString();
    }

    /**
     * Records an agent's progress or log lines for the attempt it runs. Lines that arrive after the attempt ended
     * (they travel on another topic than the completion) still join the task's log tail, but add no event: the
     * terminal event stays the last one.
     */
    private void record(TaskRow task, ProgressReport report, Work work) {
        if (task.attempt != report.attempt() || !Objects.equals(task.agentId, report.agentId())) {
            return;
        }
        TaskStatus status = task.status;
        if (status.isTerminal()) {
            if (report instanceof ProgressReport.Logs logs) {
                appendToTail(task, logs.lines());
                work.changed.put(task.id, task);
            }
            return;
        }
        if (status != TaskStatus.RUNNING && status != TaskStatus.QUEUED) {
            return;
        }
        task.seq += 1;
        task.updatedAt = work.now;
        TaskEvent event = switch (report) {
            case ProgressReport.Progress p -> {
                task.progress = p.progress().progress();
                task.progressInfo = json.valueToTree(p.progress()).toString();
                yield new TaskEvent.Progressed(task.id, task.teamId, task.seq, status, task.updatedAt, p.progress());
            }
            case ProgressReport.Logs l -> {
                appendToTail(task, l.lines());
                yield new TaskEvent.Logged(task.id, task.teamId, task.seq, status, task.updatedAt, l.lines());
            }
            case ProgressReport.Preview p -> new TaskEvent.Previewed(task.id, task.teamId, task.seq, status, task.updatedAt, p.preview());
        };
        work.events.add(row(event));
        work.changed.put(task.id, task);
    }

    private EventRow row(TaskEvent event) {
        UUID id = UUID.randomUUID();
        return new EventRow(id, event.taskId(), event.teamId(), event.seq(), TaskEvent.FAMILY.typeOf(event),
                messages.codec().encode(TaskEvent.FAMILY, event, identity.eventSource(), id.toString()), event.at());
    }

    private void appendToTail(TaskRow task, Collection<LogLine> lines) {
        if (lines == null || lines.isEmpty()) {
            return;
        }
        List<LogLine> tail = new ArrayList<>(tail(task.lastLogs));
        tail.addAll(lines);
        task.lastLogs = json.valueToTree(tail.subList(Math.max(0, tail.size() - LOG_TAIL), tail.size())).toString();
    }

    private List<LogLine> tail(String lastLogs) {
        if (lastLogs == null || lastLogs.isBlank()) {
            return List.of();
        }
        try {
            return json.readValue(lastLogs, LOG_LINES);
        } catch (Exception e) {
            return List.of();
        }
    }
}
