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
import io.cyberun.task.messaging.OutboxRelay;
import io.cyberun.task.model.TaskRow;
import io.cyberun.task.repository.TaskStore;
import io.cyberun.task.repository.TaskStore.EventRow;
import io.cyberun.task.repository.TaskStore.PartitionOffset;
import io.cyberun.task.webhook.WebhookDispatcher;
import io.cyberun.task.webhook.WebhookService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The only writer of task state after submission. A batch of changes (transition requests, progress and log reports
 * from Kafka; a user's cancel; a timeout) runs in one transaction: it locks the tasks it touches, asks the
 * {@link TaskStateMachine} about each change in order, writes each changed task once, appends one event per step to
 * the log and, for Kafka records, moves the consumer's stored offsets past them. After commit the outbox relay
 * publishes the events from memory.
 */
@ApplicationScoped
public class TaskChanges {
    private static final Logger LOG = Logger.getLogger(TaskChanges.class);
    /** How many log lines a task keeps (the tail a failed task shows). */
    public static final int LOG_TAIL = 100;
    /** How many of those a failed event carries. */
    static final int FAILED_EVENT_LOG_LINES = 20;
    private static final TypeReference<List<LogLine>> LOG_LINES = new TypeReference<>() { };
    /** The stream name of the lines the platform itself writes to a task's log. */
    public static final String PLATFORM_STREAM = "cyberun";

    private final Pool pool;
    private final TaskStore store;
    private final OutboxRelay relay;
    private final EventMessages messages;
    private final InstanceIdentity identity;
    private final WebhookService webhooks;
    private final WebhookDispatcher webhookDispatcher;
    private final ObjectMapper json;
    private final Clock clock;
    private final RetryBackoff backoff;
    private final java.util.function.DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();

    public TaskChanges(Pool pool, TaskStore store, OutboxRelay relay, EventMessages messages, InstanceIdentity identity,
                       WebhookService webhooks, WebhookDispatcher webhookDispatcher, ObjectMapper json, Clock clock, RetryConfig retries) {
        this.pool = pool;
        this.store = store;
        this.relay = relay;
        this.messages = messages;
        this.identity = identity;
        this.webhooks = webhooks;
        this.webhookDispatcher = webhookDispatcher;
        this.json = json;
        this.clock = clock;
        this.backoff = new RetryBackoff(retries.initial(), retries.max());
    }

    /** One change to one task. */
    public sealed interface Change {
        UUID taskId();

        /** The team the change claims the task is in; {@code null} for the platform's own changes (timeouts). */
        UUID teamId();
    }

    /** A transition request from the scheduler or agent-hub. */
    public record Transition(TaskTransition transition) implements Change {
        public UUID taskId() {
            return transition.taskId();
        }

        public UUID teamId() {
            return transition.teamId();
        }
    }

    /** Progress or log lines an agent reported. */
    public record Report(ProgressReport report) implements Change {
        public UUID taskId() {
            return report.taskId();
        }

        public UUID teamId() {
            return report.teamId();
        }
    }

    /** A command of task-service itself: a user's cancel, a timeout. */
    public record Command(UUID taskId, UUID teamId, TaskCommand command) implements Change {
    }

    /** A change read from a Kafka partition at an offset. */
    public record Inbound(String topic, int partition, long offset, Change change) {
    }

    /**
     * Applies what a consumer read, once: records at offsets the group already applied (a redelivery after a crash or
     * a rebalance) are skipped, and the new offsets are stored with the changes.
     */
    public Uni<Void> applyBatch(String group, List<Inbound> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, PartitionOffset> ends = new LinkedHashMap<>();
        for (Inbound r : records) {
            ends.merge(r.topic() + "/" + r.partition(), new PartitionOffset(r.topic(), r.partition(), r.offset() + 1),
                    (a, b) -> a.nextOffset() >= b.nextOffset() ? a : b);
        }
        TreeSet<UUID> ids = new TreeSet<>();
        records.forEach(r -> ids.add(r.change().taskId()));
        return Uni.createFrom().deferred(() -> {
            Applied applied = new Applied();
            // Statements that do not depend on each other are sent together on the connection (pipelined): claiming
            // the offsets with locking the batch's tasks, then all the writes; a batch costs four round trips.
            return pool.withTransaction(conn -> Uni.combine().all().unis(store.claimOffsets(conn, group, ends.values()), store.lock(conn, ids))
                    .asTuple().flatMap(claimed -> {
                        Map<String, Long> next = claimed.getItem1();
                        List<Change> fresh = new ArrayList<>(records.size());
                        for (Inbound r : records) {
                            if (r.offset() >= next.getOrDefault(r.topic() + "/" + r.partition(), 0L)) {
                                fresh.add(r.change());
                            }
                        }
                        Work work = decide(claimed.getItem2(), fresh, applied);
                        return write(conn, work, applied, store.storeOffsets(conn, group, ends.values()));
                    }))
                    .invoke(applied::committed)
                    .onFailure().invoke(e -> applied.abandoned())
                    // Cancelled after its commit was sent, a batch's events wait for the sweep: late, never lost.
                    .onCancellation().invoke(applied::abandoned)
                    .replaceWithVoid();
        });
    }

    /**
     * Applies one change of task-service itself; answers the task as it is afterwards, or {@code null} when there is
     * no such task in the team.
     */
    public Uni<TaskRow> apply(Command change) {
        return Uni.createFrom().deferred(() -> {
            Applied applied = new Applied();
            return pool.withTransaction(conn -> store.lock(conn, List.of(change.taskId())).flatMap(rows -> {
                        Work work = decide(rows, List.of(change), applied);
                        return write(conn, work, applied, Uni.createFrom().voidItem()).replaceWith(rows);
                    }))
                    .invoke(applied::committed)
                    .onFailure().invoke(e -> applied.abandoned())
                    .onCancellation().invoke(applied::abandoned)
                    .map(rows -> {
                        TaskRow task = rows.get(change.taskId());
                        return task == null || (change.teamId() != null && !task.teamId.equals(change.teamId())) ? null : task;
                    });
        });
    }

    /** What one transaction produced, acted on once it has committed or rolled back. */
    private final class Applied {
        OutboxRelay.Batch outbox;
        int webhookDeliveries;

        void committed() {
            if (outbox != null) {
                outbox.committed();
            }
            if (webhookDeliveries > 0) {
                webhookDispatcher.nudge();
            }
        }

        void abandoned() {
            if (outbox != null) {
                outbox.abandoned();
            }
        }
    }

    /** Decides every change on the locked tasks, in order; the events take their place in the outbox queue. */
    private Work decide(Map<UUID, TaskRow> rows, List<Change> changes, Applied applied) {
        Work work = new Work(clock.instant());
        for (Change change : changes) {
            TaskRow task = rows.get(change.taskId());
            if (task == null || (change.teamId() != null && !task.teamId.equals(change.teamId()))) {
                LOG.debugf("%s for unknown task %s ignored", change.getClass().getSimpleName(), change.taskId());
                continue;
            }
            switch (change) {
                case Transition t -> decide(task, command(t.transition()), t.transition() instanceof TaskTransition.Assign a ? a : null, work);
                case Report r -> record(task, r.report(), work);
                case Command c -> decide(task, c.command(), null, work);
            }
        }
        // Reserved while the rows are locked: the next change of these tasks queues its events behind these.
        applied.outbox = work.events.isEmpty() ? null : relay.reserve(work.events);
        return work;
    }

    /** Writes the changed tasks, their events, webhook deliveries and {@code also}, sent together (pipelined). */
    private Uni<Void> write(SqlConnection conn, Work work, Applied applied, Uni<Void> also) {
        return Uni.join().all(store.update(conn, work.changed.values()), store.append(conn, work.events),
                        store.enqueueWebhooks(conn, work.webhooks).invoke(n -> applied.webhookDeliveries = n).replaceWithVoid(), also)
                .andFailFast().replaceWithVoid();
    }

    /** The changed tasks and the events of one transaction. */
    private static final class Work {
        final Instant now;
        final Map<UUID, TaskRow> changed = new LinkedHashMap<>();
        final List<EventRow> events = new ArrayList<>();
        final List<TaskStore.WebhookDelivery> webhooks = new ArrayList<>();

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
                work.webhooks.add(new TaskStore.WebhookDelivery(task.teamId, task.id, WebhookService.COMPLETED,
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
                work.webhooks.add(new TaskStore.WebhookDelivery(task.teamId, task.id, WebhookService.FAILED,
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
        String note = platformNote(before, event, assignment);
        if (note != null) {
            LogLine line = new LogLine(now, PLATFORM_STREAM, note);
            appendToTail(task, List.of(line));
            task.seq += 1;
            work.events.add(row(new TaskEvent.Logged(task.id, task.teamId, task.seq, next.status(), now, List.of(line))));
        }
    }

    /**
     * What the task's log says about a step the platform took rather than the workflow: where a task with a preferred GPU
     * was placed, a retry (with its back-off) and a dispatch that went back to the queue before its agent ran it.
     * {@code null} for the other steps.
     */
    static String platformNote(TaskState before, TaskEvent event, TaskTransition.Assign assignment) {
        if (!(event instanceof TaskEvent.StatusChanged c)) {
            return null;
        }
        boolean placed = c.status() == TaskStatus.QUEUED || c.status() == TaskStatus.PROVISIONING;
        if (placed && before.status() != TaskStatus.PROVISIONING && assignment != null && assignment.note() != null) {
            return assignment.note();
        }
        if (c.status() != TaskStatus.PENDING) {
            return null;
        }
        if (c.retryAt() != null) {
            long seconds = Math.max(0, Math.round(java.time.Duration.between(c.at(), c.retryAt()).toMillis() / 1000.0));
            String reason = c.reason() == null ? "" : c.reason();
            int after = reason.indexOf(" after: ");
            String retry = after < 0 ? "retry " + c.retryCount() : reason.substring(0, after);
            String error = after < 0 ? reason : reason.substring(after + " after: ".length());
            return retry + " in " + seconds + " s: attempt " + before.attempt()
                    + (before.agentId() == null ? "" : " on agent " + before.agentId()) + " failed: " + error;
        }
        if (before.status() == TaskStatus.QUEUED || before.status() == TaskStatus.PROVISIONING) {
            return "dispatch " + before.attempt() + (before.agentId() == null ? "" : " to agent " + before.agentId())
                    + " went back to the queue (" + c.reason() + "); another eligible agent is tried first";
        }
        return null;
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
