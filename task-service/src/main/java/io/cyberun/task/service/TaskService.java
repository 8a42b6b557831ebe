package io.cyberun.task.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.common.messaging.EventMessages;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.domain.ParameterValidator;
import io.cyberun.task.domain.TaskCommand;
import io.cyberun.task.domain.WorkflowDefinition;
import io.cyberun.task.messaging.OutboxRelay;
import io.cyberun.task.model.RunnableWorkflow;
import io.cyberun.task.model.Task;
import io.cyberun.task.model.TaskRow;
import io.cyberun.task.repository.TaskRepository;
import io.cyberun.task.repository.NewTasks;
import io.cyberun.task.repository.TaskStore;
import io.cyberun.task.repository.TaskStore.EventRow;
import io.cyberun.task.repository.WorkflowRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Accepts runs: validates them and stores each new task ({@code pending}) with its {@code submitted} event in one
 * transaction, published by the outbox relay right after commit. Every later change of a task goes through
 * {@link TaskChanges}.
 */
@ApplicationScoped
public class TaskService {
    private static final TypeReference<List<LogLine>> LOG_LINES = new TypeReference<>() { };
    private final TaskRepository tasks;
    private final WorkflowRepository workflows;
    private final TaskChanges changes;
    private final TaskStore store;
    private final NewTasks inserts;
    private final Pool pool;
    private final NewTaskWriter newTasks;
    private final IdempotencyKeys idempotency;
    private final FileInputCheck fileInputs;
    private final OutboxRelay relay;
    private final EventMessages messages;
    private final InstanceIdentity identity;
    private final ObjectMapper json;
    private final Clock clock;

    public TaskService(TaskRepository tasks, WorkflowRepository workflows, TaskChanges changes, TaskStore store, NewTasks inserts, Pool pool,
                       NewTaskWriter newTasks, IdempotencyKeys idempotency, FileInputCheck fileInputs, OutboxRelay relay, EventMessages messages,
                       InstanceIdentity identity, ObjectMapper json, Clock clock) {
        this.tasks = tasks;
        this.workflows = workflows;
        this.changes = changes;
        this.store = store;
        this.inserts = inserts;
        this.pool = pool;
        this.newTasks = newTasks;
        this.idempotency = idempotency;
        this.fileInputs = fileInputs;
        this.relay = relay;
        this.messages = messages;
        this.identity = identity;
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
                    request.priority() == null ? 0 : request.priority(), def.preferredGpu());
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
        TaskRow row = new TaskRow();
        row.id = UUID.randomUUID();
        row.teamId = teamId;
        row.workflowId = spec.workflowId();
        row.status = TaskStatus.PENDING;
        row.seq = 1;
        row.maxRetries = spec.maxRetries();
        row.taskTimeout = spec.taskTimeout();
        row.lastLogs = "[]";
        row.updatedAt = now;
        NewTasks.NewTask task = new NewTasks.NewTask(row, spec.workflowVersion(), spec.workflowSlug(), spec.toolType(),
                write(spec), write(spec.parameters()), "agent", "team", submitterRegion, now);
        TaskEvent.Submitted submitted = new TaskEvent.Submitted(row.id, teamId, 1, TaskStatus.PENDING, now, spec);
        UUID eventId = UUID.randomUUID();
        List<EventRow> events = List.of(new EventRow(eventId, row.id, teamId, 1, TaskEvent.FAMILY.typeOf(submitted),
                messages.codec().encode(TaskEvent.FAMILY, submitted, identity.eventSource(), eventId.toString()), now));
        return Uni.createFrom().deferred(() -> {
            // A new task is locked by nobody else, so its event may take its place in the outbox queue at once.
            OutboxRelay.Batch outbox = relay.reserve(events);
            // Without an idempotency key the task and its event are one statement (shared with the runs arriving meanwhile);
            // with one, the key joins a transaction.
            Uni<Void> stored = claim == null
                    ? newTasks.write(new NewTasks.NewTaskWithEvent(task, events.get(0)))
                    : pool.withTransaction(conn -> inserts.insert(conn, task)
                            .call(() -> store.append(conn, events))
                            .call(() -> idempotency.record(conn, teamId, claim, row.id)));
            return stored
                    .invoke(outbox::committed)
                    .onFailure().invoke(e -> outbox.abandoned())
                    .onCancellation().invoke(outbox::abandoned)
                    .replaceWith(() -> view(task, spec));
        });
    }

    /** The new task as reads return it (without a read). */
    private Task view(NewTasks.NewTask n, TaskSpec spec) {
        Task t = new Task();
        t.id = n.row().id;
        t.teamId = n.row().teamId;
        t.workflowId = spec.workflowId();
        t.workflowVersion = spec.workflowVersion();
        t.workflowSlug = spec.workflowSlug();
        t.toolType = spec.toolType();
        t.status = TaskStatus.PENDING.wireName();
        t.seq = 1;
        t.maxRetries = spec.maxRetries();
        t.createdAt = n.createdAt();
        t.updatedAt = n.createdAt();
        return t;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException("a task could not be written as JSON", e);
        }
    }

    private static ApiException disabled(String slug) {
        return new ApiException(ErrorCode.WORKFLOW_DISABLED, "workflow " + slug + " is disabled: an admin can set workflow_status to active");
    }

    /** Cancels a task of the team; a terminal task stays as it is (a no-op success). */
    public Uni<Void> cancel(UUID teamId, UUID taskId, String reason) {
        return changes.apply(new TaskChanges.Command(taskId, teamId, new TaskCommand.Cancel(reason)))
                .onItem().ifNull().failWith(() -> ApiException.notFound("task"))
                .replaceWithVoid();
    }

    public List<LogLine> tail(Task task) {
        return task.lastLogs == null || task.lastLogs.isNull() ? List.of() : json.convertValue(task.lastLogs, LOG_LINES);
    }
}
