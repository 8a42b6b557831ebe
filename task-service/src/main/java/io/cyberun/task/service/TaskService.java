package io.cyberun.task.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.stream.TaskStreamEvent;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.domain.Decision;
import io.cyberun.task.domain.ParameterValidator;
import io.cyberun.task.domain.TaskCommand;
import io.cyberun.task.domain.TaskState;
import io.cyberun.task.domain.TaskStateMachine;
import io.cyberun.task.domain.WorkflowDefinition;
import io.cyberun.task.messaging.OutboxRelay;
import io.cyberun.task.model.Task;
import io.cyberun.task.repository.TaskRepository;
import io.cyberun.task.repository.WorkflowRepository;
import io.cyberun.task.webhook.WebhookService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The only writer of task state. Every change runs in one transaction that locks the task row, asks the
 * {@link TaskStateMachine}, updates the task and appends the event that records the change; after commit the
 * outbox relay publishes it.
 */
@ApplicationScoped
public class TaskService {
    private static final Logger LOG = Logger.getLogger(TaskService.class);
    /** How many log lines a task keeps (the tail a failed task shows). */
    public static final int LOG_TAIL = 100;
    /** How many of those a failed event carries. */
    static final int FAILED_EVENT_LOG_LINES = 20;
    private static final TypeReference<List<LogLine>> LOG_LINES = new TypeReference<>() { };

    private final TaskRepository tasks;
    private final WorkflowRepository workflows;
    private final TaskEventLog eventLog;
    private final ProcessedMessages processed;
    private final IdempotencyKeys idempotency;
    private final FileInputCheck fileInputs;
    private final OutboxRelay relay;
    private final WebhookService webhooks;
    private final ObjectMapper json;
    private final Clock clock;

    public TaskService(TaskRepository tasks, WorkflowRepository workflows, TaskEventLog eventLog, ProcessedMessages processed,
                       IdempotencyKeys idempotency, FileInputCheck fileInputs, OutboxRelay relay, WebhookService webhooks, ObjectMapper json,
                       Clock clock) {
        this.webhooks = webhooks;
        this.tasks = tasks;
        this.workflows = workflows;
        this.eventLog = eventLog;
        this.processed = processed;
        this.idempotency = idempotency;
        this.fileInputs = fileInputs;
        this.relay = relay;
        this.json = json;
        this.clock = clock;
    }

    /**
     * A run request's optional fields besides the parameters.
     *
     * @param priority higher runs first within the team (-100 to 100, default 0)
     */
    public record RunRequest(JsonNode parameters, String dispatchTarget, String targetPool, String submitterRegion,
                             String toolType, Integer priority) {
    }

    /**
     * Validates and stores a new task ({@code pending}) with its {@code submitted} event. With an idempotency
     * claim, a retry of the same request returns the task the first one created.
     */
    public Uni<Task> submit(UUID teamId, RunnableWorkflow workflow, RunRequest request, IdempotencyKeys.Claim claim) {
        if (claim == null) {
            return validateAndCreate(teamId, workflow, request, null);
        }
        return Panache.withSession(() -> idempotency.earlier(teamId, claim)).flatMap(earlier -> earlier != null
                ? Panache.withSession(() -> tasks.findInTeam(teamId, earlier))
                : validateAndCreate(teamId, workflow, request, claim)
                        .onFailure(IdempotencyKeys.KeyTaken.class).recoverWithUni(() -> Panache.withSession(() ->
                                idempotency.earlier(teamId, claim).flatMap(winner -> tasks.findInTeam(teamId, winner)))));
    }

    private Uni<Task> validateAndCreate(UUID teamId, RunnableWorkflow workflow, RunRequest request, IdempotencyKeys.Claim claim) {
        WorkflowDefinition def = workflow.definition();
        if (!workflow.active()) {
            return Uni.createFrom().failure(disabled(def.workflowSlug()));
        }
        List<ParameterDef> defs = def.parameters() == null ? List.of() : def.parameters();
        ParameterValidator.Result resolved = ParameterValidator.resolve(defs, request.parameters(), teamId);
        List<FieldError> errors = new ArrayList<>(resolved.errors());
        if (request.dispatchTarget() != null && !"agent".equals(request.dispatchTarget())) {
            errors.add(new FieldError("dispatch_target", "only agent is supported by this deployment"));
        }
        if (request.targetPool() != null && !"team".equals(request.targetPool())) {
            errors.add(new FieldError("target_pool", "only team is supported by this deployment"));
        }
        String toolType = def.toolType() == null ? "comfyui" : def.toolType();
        if (request.toolType() != null && !request.toolType().equals(toolType)) {
            errors.add(new FieldError("tool_type", "this workflow runs with " + toolType));
        }
        if (request.priority() != null && (request.priority() < -100 || request.priority() > 100)) {
            errors.add(new FieldError("priority", "must be between -100 and 100"));
        }
        if (request.submitterRegion() != null && request.submitterRegion().length() > 64) {
            errors.add(new FieldError("submitter_region", "must be at most 64 characters"));
        }
        Uni<List<FieldError>> fileProblems = resolved.valid() ? fileInputs.problems(defs, resolved.resolved()) : Uni.createFrom().item(List.of());
        return fileProblems.flatMap(files -> {
            errors.addAll(files);
            if (!errors.isEmpty()) {
                return Uni.createFrom().failure(ApiException.invalid("run request is invalid", errors));
            }
            TaskSpec spec = new TaskSpec(workflow.workflowId(), def.workflowSlug(), workflow.version(), toolType, def.workflowJson(),
                    resolved.resolved(), def.parameters(), def.requiredLabels(), def.minVramGb(), def.requiredModels(),
                    def.taskTimeout() == null ? 0 : def.taskTimeout(), def.maxRetries() == null ? 0 : def.maxRetries(),
                    request.priority() == null ? 0 : request.priority());
            return create(teamId, spec, request.submitterRegion(), claim);
        });
    }

    /** A new task running the same workflow version with the same parameters as an earlier one. */
    public Uni<Task> rerun(UUID teamId, UUID taskId) {
        return Panache.withSession(() -> tasks.findInTeam(teamId, taskId)
                        .onItem().ifNull().failWith(() -> ApiException.notFound("task"))
                        .flatMap(original -> workflows.findInTeam(teamId, original.workflowId).map(w -> {
                            if (w == null) {
                                throw new ApiException(ErrorCode.NOT_FOUND, "the workflow this task ran was deleted");
                            }
                            if (!w.isActive()) {
                                throw disabled(w.workflowSlug);
                            }
                            return original;
                        })))
                .flatMap(original -> {
                    TaskSpec spec = json.convertValue(original.spec, TaskSpec.class);
                    return fileInputs.problems(spec.parameterDefs(), spec.parameters()).flatMap(problems -> problems.isEmpty()
                            ? create(teamId, spec, original.submitterRegion, null)
                            : Uni.createFrom().failure(ApiException.invalid("the task's inputs are no longer available", problems)));
                });
    }

    private Uni<Task> create(UUID teamId, TaskSpec spec, String submitterRegion, IdempotencyKeys.Claim claim) {
        Instant now = clock.instant();
        Task task = new Task();
        task.id = UUID.randomUUID();
        task.teamId = teamId;
        task.workflowId = spec.workflowId();
        task.workflowVersion = spec.workflowVersion();
        task.workflowSlug = spec.workflowSlug();
        task.toolType = spec.toolType();
        task.status = TaskStatus.PENDING.wireName();
        task.seq = 1;
        task.attempt = 0;
        task.retryCount = 0;
        task.maxRetries = spec.maxRetries();
        task.spec = json.valueToTree(spec);
        task.parameters = spec.parameters();
        task.lastLogs = json.createArrayNode();
        task.dispatchTarget = "agent";
        task.targetPool = "team";
        task.submitterRegion = submitterRegion;
        task.createdAt = now;
        task.updatedAt = now;
        TaskEvent.Submitted submitted = new TaskEvent.Submitted(task.id, teamId, 1, TaskStatus.PENDING, now, spec);
        // The task row must exist before its event row (foreign key), hence the flush.
        return Panache.withTransaction(() -> tasks.persist(task).call(tasks::flush).call(() -> eventLog.append(task, submitted))
                        .call(() -> claim == null ? Uni.createFrom().voidItem() : idempotency.record(teamId, claim, task.id)))
                .invoke(relay::nudge)
                .replaceWith(task);
    }

    private static ApiException disabled(String slug) {
        return new ApiException(ErrorCode.WORKFLOW_DISABLED, "workflow " + slug + " is disabled: an admin can set workflow_status to active");
    }

    /** Cancels a task of the team; a terminal task stays as it is (a no-op success). */
    public Uni<Task> cancel(UUID teamId, UUID taskId, String reason) {
        return Panache.withTransaction(() -> tasks.lockForUpdate(taskId).flatMap(task -> {
                    if (task == null || !task.teamId.equals(teamId)) {
                        return Uni.createFrom().failure(ApiException.notFound("task"));
                    }
                    return decideAndRecord(task, new TaskCommand.Cancel(reason), null).replaceWith(task);
                }))
                .invoke(relay::nudge);
    }

    /**
     * Applies a transition request from the scheduler or agent-hub, once per {@code eventId}; a request that
     * does not fit the task's state is ignored.
     */
    public Uni<Void> apply(UUID eventId, TaskTransition transition) {
        TaskCommand command = switch (transition) {
            case TaskTransition.MarkWaiting w -> new TaskCommand.MarkWaiting(w.reason());
            case TaskTransition.Assign a -> new TaskCommand.Assign(a.agentId(), a.provision());
            case TaskTransition.Start s -> new TaskCommand.Start(s.agentId(), s.attempt());
            case TaskTransition.Complete c -> new TaskCommand.Complete(c.agentId(), c.attempt(), c.outputs());
            case TaskTransition.Fail f -> new TaskCommand.Fail(f.agentId(), f.attempt(), f.error(), f.retryable(), f.lastLogs());
            case TaskTransition.Requeue r -> new TaskCommand.Requeue(r.agentId(), r.attempt(), r.reason());
        };
        TaskTransition.Assign assignment = transition instanceof TaskTransition.Assign a ? a : null;
        return Panache.withTransaction(() -> processed.markNew(eventId).flatMap(isNew -> !isNew
                        ? Uni.createFrom().voidItem()
                        : tasks.lockForUpdate(transition.taskId()).flatMap(task -> {
                            if (task == null || !task.teamId.equals(transition.teamId())) {
                                LOG.debugf("transition %s for unknown task %s ignored", transition.getClass().getSimpleName(), transition.taskId());
                                return Uni.createFrom().voidItem();
                            }
                            return decideAndRecord(task, command, assignment).replaceWithVoid();
                        })))
                .invoke(relay::nudge);
    }

    /** Fails (or retries) a running attempt that exceeded its task_timeout. */
    public Uni<Void> timeOut(UUID taskId, int attempt, int timeoutSeconds) {
        return Panache.withTransaction(() -> tasks.lockForUpdate(taskId).flatMap(task -> task == null
                        ? Uni.createFrom().voidItem()
                        : decideAndRecord(task, new TaskCommand.TimedOut(attempt, timeoutSeconds), null).replaceWithVoid()))
                .invoke(relay::nudge);
    }

    /**
     * Records an agent's progress or log lines for the attempt it runs. Lines that arrive after the attempt
     * ended (they travel on another topic than the completion) still join the task's log tail, but add no
     * event: the terminal event stays the last one.
     */
    public Uni<Void> record(ProgressReport report) {
        return Panache.withTransaction(() -> tasks.lockForUpdate(report.taskId()).flatMap(task -> {
                    if (task == null || !task.teamId.equals(report.teamId()) || task.attempt != report.attempt()
                            || !Objects.equals(task.agentId, report.agentId())) {
                        return Uni.createFrom().item(false);
                    }
                    TaskStatus status = task.taskStatus();
                    if (status.isTerminal()) {
                        if (report instanceof ProgressReport.Logs logs) {
                            appendToTail(task, logs.lines());
                        }
                        return Uni.createFrom().item(false);
                    }
                    if (status != TaskStatus.RUNNING && status != TaskStatus.QUEUED) {
                        return Uni.createFrom().item(false);
                    }
                    task.seq += 1;
                    task.updatedAt = clock.instant();
                    TaskEvent event = switch (report) {
                        case ProgressReport.Progress p -> {
                            task.progress = p.progress().progress();
                            task.progressInfo = json.valueToTree(p.progress());
                            yield new TaskEvent.Progressed(task.id, task.teamId, task.seq, status, task.updatedAt, p.progress());
                        }
                        case ProgressReport.Logs l -> {
                            appendToTail(task, l.lines());
                            yield new TaskEvent.Logged(task.id, task.teamId, task.seq, status, task.updatedAt, l.lines());
                        }
                    };
                    return eventLog.append(task, event).replaceWith(true);
                }))
                .invoke(recorded -> {
                    if (recorded) {
                        relay.nudge();
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Boolean> decideAndRecord(Task task, TaskCommand command, TaskTransition.Assign assignment) {
        TaskState before = task.state();
        Decision decision = TaskStateMachine.decide(before, command);
        if (decision instanceof Decision.Ignored ignored) {
            LOG.debugf("task %s: %s ignored: %s", task.id, command.getClass().getSimpleName(), ignored.why());
            return Uni.createFrom().item(false);
        }
        Decision.Accepted accepted = (Decision.Accepted) decision;
        TaskState next = accepted.next();
        Instant now = clock.instant();
        task.status = next.status().wireName();
        task.attempt = next.attempt();
        task.retryCount = next.retryCount();
        task.agentId = next.agentId();
        task.updatedAt = now;
        task.seq += 1;
        TaskEvent event = switch (accepted.outcome()) {
            case STATUS_CHANGED, RETRYING -> {
                switch (next.status()) {
                    case QUEUED -> {
                        task.queuedAt = now;
                        if (assignment != null) {
                            task.gpuType = assignment.gpuType();
                            task.gatewayId = assignment.gatewayId();
                            task.agentLabels = assignment.agentLabels() == null ? null : json.valueToTree(assignment.agentLabels());
                        }
                    }
                    case RUNNING -> task.startedAt = now;
                    case PENDING -> {
                        task.queuedAt = null;
                        task.startedAt = null;
                        task.progress = null;
                        task.progressInfo = null;
                    }
                    default -> { }
                }
                yield new TaskEvent.StatusChanged(task.id, task.teamId, task.seq, next.status(), now, before.status(),
                        next.agentId(), next.attempt(), next.retryCount(), accepted.reason());
            }
            case COMPLETED -> {
                TaskCommand.Complete complete = (TaskCommand.Complete) command;
                task.taskOutput = TaskStreamEvent.output(complete.outputs(), json);
                task.progress = 1.0;
                task.completedAt = now;
                yield new TaskEvent.Completed(task.id, task.teamId, task.seq, TaskStatus.COMPLETED, now, next.agentId(),
                        next.attempt(), complete.outputs());
            }
            case FAILED -> {
                if (command instanceof TaskCommand.Fail fail) {
                    appendToTail(task, fail.lastLogs());
                }
                task.taskError = accepted.reason();
                task.completedAt = now;
                List<LogLine> tail = tail(task);
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
        Uni<Boolean> recorded = eventLog.append(task, event).replaceWith(true);
        return switch (accepted.outcome()) {
            case COMPLETED -> recorded.call(() -> webhooks.enqueue(task, WebhookService.COMPLETED));
            case FAILED -> recorded.call(() -> webhooks.enqueue(task, WebhookService.FAILED));
            default -> recorded;
        };
    }

    private void appendToTail(Task task, List<LogLine> lines) {
        if (lines == null || lines.isEmpty()) {
            return;
        }
        List<LogLine> tail = new ArrayList<>(tail(task));
        tail.addAll(lines);
        task.lastLogs = json.valueToTree(tail.subList(Math.max(0, tail.size() - LOG_TAIL), tail.size()));
    }

    public List<LogLine> tail(Task task) {
        return task.lastLogs == null || task.lastLogs.isNull() ? List.of() : json.convertValue(task.lastLogs, LOG_LINES);
    }
}
