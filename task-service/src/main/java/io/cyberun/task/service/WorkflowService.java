package io.cyberun.task.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.rest.ApiException;
import io.cyberun.common.rest.Violations;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.task.domain.WorkflowConstraints;
import io.cyberun.task.domain.WorkflowDefinition;
import io.cyberun.task.mapping.WorkflowDefinitions;
import io.cyberun.task.mapping.WorkflowMapping;
import io.cyberun.task.model.RunnableWorkflow;
import io.cyberun.task.model.Workflow;
import io.cyberun.task.model.WorkflowSnapshot;
import io.cyberun.task.repository.RunnableWorkflows;
import io.cyberun.task.repository.WorkflowRepository;
import io.cyberun.task.repository.WorkflowSnapshotRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Validator;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Workflows of a team: import (upsert by slug with a new version and snapshot), reads, and run resolution. */
@ApplicationScoped
public class WorkflowService {
    private final WorkflowRepository workflows;
    private final WorkflowSnapshotRepository snapshots;
    private final ObjectMapper json;
    private final Clock clock;
    private final RunnableWorkflows runnable;
    private final Validator validator;

    public WorkflowService(WorkflowRepository workflows, WorkflowSnapshotRepository snapshots, ObjectMapper json, Clock clock,
                           RunnableWorkflows runnable, Validator validator) {
        this.runnable = runnable;
        this.validator = validator;
        this.workflows = workflows;
        this.snapshots = snapshots;
        this.json = json;
        this.clock = clock;
    }

    /** Creates the workflow, or saves a new version of the team's workflow with the same slug. */
    @WithTransaction
    public Uni<Workflow> importWorkflow(UUID teamId, WorkflowDefinition definition) {
        List<FieldError> errors = Violations.details(validator.validate(definition));
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiException.invalid("workflow is invalid", errors));
        }
        return workflows.findBySlug(teamId, definition.workflowSlug()).flatMap(existing -> {
            if (existing != null) {
                return save(existing, definition, definition.snapshotNote());
            }
            Instant now = clock.instant();
            Workflow w = new Workflow();
            w.id = UUID.randomUUID();
            w.teamId = teamId;
            w.version = 0;
            w.createdAt = now;
            WorkflowMapping.apply(definition, w, json);
            w.version = 1;
            w.updatedAt = now;
            return workflows.persist(w).call(workflows::flush)
                    .call(saved -> snapshots.persist(snapshot(saved, definition.snapshotNote(), now)));
        });
    }

    /** Replaces the fields given in the patch; a new version and snapshot. */
    @WithTransaction
    public Uni<Workflow> update(UUID teamId, UUID id, JsonNode patch) {
        return workflows.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("workflow")).flatMap(w -> {
            WorkflowDefinition next = WorkflowDefinitions.merge(WorkflowMapping.definition(w, json), patch, json);
            List<FieldError> errors = Violations.details(validator.validate(next));
            if (!errors.isEmpty()) {
                return Uni.createFrom().failure(ApiException.invalid("workflow is invalid", errors));
            }
            String note = patch.path("snapshot_note").isTextual() ? patch.path("snapshot_note").textValue() : null;
            if (next.workflowSlug().equals(w.workflowSlug)) {
                return save(w, next, note);
            }
            return workflows.findBySlug(teamId, next.workflowSlug()).flatMap(taken -> taken != null
                    ? Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT, "the team already has a workflow with slug " + next.workflowSlug()))
                    : save(w, next, note));
        });
    }

    /** Makes a snapshot's definition the live one, as a new version (the previous live version keeps its snapshot). */
    @WithTransaction
    public Uni<Workflow> restore(UUID teamId, UUID workflowId, UUID snapshotId) {
        return workflows.findInTeam(teamId, workflowId).onItem().ifNull().failWith(() -> ApiException.notFound("workflow"))
                .flatMap(w -> snapshots.findInWorkflow(teamId, workflowId, snapshotId)
                        .onItem().ifNull().failWith(() -> ApiException.notFound("snapshot"))
                        .flatMap(s -> {
                            WorkflowDefinition restored = json.convertValue(s.definition, WorkflowDefinition.class);
                            // A workflow renamed since keeps its current slug: the slug is the workflow's identity.
                            WorkflowDefinition kept = new WorkflowDefinition(w.workflowSlug, restored.displayName(), restored.description(),
                                    restored.toolType(), restored.workflowJson(), restored.parameters(), restored.requiredLabels(),
                                    restored.taskTimeout(), restored.maxRetries(), restored.requiredModels(), restored.minVramGb(),
                                    restored.preferredGpu(), restored.defaultDispatchTarget(), restored.workflowStatus(), null);
                            return save(w, kept, "restored from version " + s.workflowVersion);
                        }));
    }

    @WithTransaction
    public Uni<Void> delete(UUID teamId, UUID id) {
        return workflows.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("workflow"))
                .flatMap(workflows::delete);
    }

    public record SnapshotPage(List<WorkflowSnapshot> items, long total) {
    }

    @WithSession
    public Uni<SnapshotPage> snapshots(UUID teamId, UUID workflowId, int page, int perPage) {
        return get(teamId, workflowId).flatMap(w -> snapshots.page(teamId, workflowId, page - 1, perPage)
                .flatMap(items -> snapshots.countFor(teamId, workflowId).map(total -> new SnapshotPage(items, total))));
    }

    @WithSession
    public Uni<WorkflowSnapshot> snapshot(UUID teamId, UUID workflowId, UUID snapshotId) {
        return snapshots.findInWorkflow(teamId, workflowId, snapshotId).onItem().ifNull().failWith(() -> ApiException.notFound("snapshot"));
    }

    private Uni<Workflow> save(Workflow w, WorkflowDefinition definition, String note) {
        Instant now = clock.instant();
        WorkflowMapping.apply(definition, w, json);
        w.version += 1;
        w.updatedAt = now;
        return snapshots.persist(snapshot(w, note, now)).replaceWith(w);
    }

    @WithSession
    public Uni<Workflow> get(UUID teamId, UUID id) {
        return workflows.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("workflow"));
    }

    public record WorkflowPage(List<Workflow> items, long total) {
    }

    @WithSession
    public Uni<WorkflowPage> list(UUID teamId, int page, int perPage) {
        return workflows.page(teamId, page - 1, perPage)
                .flatMap(items -> workflows.countInTeam(teamId).map(total -> new WorkflowPage(items, total)));
    }

    /** Resolves a workflow id for a run: its live version. */
    @WithSession
    public Uni<RunnableWorkflow> runnableById(UUID teamId, UUID id) {
        return runnable.byId(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("workflow"));
    }

    /** Resolves {@code slug} (the live version) or {@code slug@version} (that snapshot) in the team. */
    public Uni<RunnableWorkflow> runnableBySlug(UUID teamId, String slugRef) {
        SlugRef ref = SlugRef.parse(slugRef);
        return runnable.bySlug(teamId, ref.slug())
                .onItem().ifNull().failWith(() -> ApiException.notFound("workflow " + ref.slug()))
                .flatMap(w -> {
                    if (ref.version() == null || ref.version() == w.version()) {
                        return Uni.createFrom().item(w);
                    }
                    return Panache.withSession(() -> snapshots.findVersion(teamId, w.workflowId(), ref.version()))
                            .onItem().ifNull().failWith(() -> ApiException.notFound("workflow " + ref.slug() + " version " + ref.version()))
                            .map(s -> new RunnableWorkflow(w.workflowId(), s.workflowVersion, w.active(),
                                    json.convertValue(s.definition, WorkflowDefinition.class)));
                });
    }

    private WorkflowSnapshot snapshot(Workflow w, String note, Instant now) {
        WorkflowSnapshot s = new WorkflowSnapshot();
        s.id = UUID.randomUUID();
        s.workflowId = w.id;
        s.teamId = w.teamId;
        s.workflowVersion = w.version;
        s.definition = json.valueToTree(WorkflowMapping.definition(w, json));
        s.snapshotNote = note;
        s.createdAt = now;
        return s;
    }

    /** {@code slug} or {@code slug@version}. */
    public record SlugRef(String slug, Integer version) {
        public static SlugRef parse(String ref) {
            if (ref == null || ref.isBlank()) {
                throw new ApiException(ErrorCode.VALIDATION_FAILED, "a workflow slug is required");
            }
            int at = ref.lastIndexOf('@');
            String slug = at < 0 ? ref : ref.substring(0, at);
            Integer version = null;
            if (at >= 0) {
                try {
                    version = Integer.parseInt(ref.substring(at + 1));
                } catch (NumberFormatException e) {
                    version = -1;
                }
                if (version < 1) {
                    throw ApiException.invalid("invalid workflow reference " + ref,
                            List.of(new FieldError("workflow_slug", "the version after @ must be a positive whole number, e.g. text-to-image@2")));
                }
            }
            if (!WorkflowConstraints.Slug.COMPILED.matcher(slug).matches()) {
                throw ApiException.invalid("invalid workflow slug " + slug,
                        List.of(new FieldError("workflow_slug", "must be 2-100 lowercase letters, digits and single dashes")));
            }
            return new SlugRef(slug, version);
        }
    }
}
