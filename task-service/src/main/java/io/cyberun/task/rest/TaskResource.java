package io.cyberun.task.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.rest.QueryParams;
import io.cyberun.common.rest.WholeNumber;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.TaskList;
import io.cyberun.contracts.api.TaskResultView;
import io.cyberun.contracts.api.TaskView;
import io.cyberun.contracts.files.DownloadLinks;
import io.cyberun.contracts.files.DownloadLinksRequest;
import io.cyberun.contracts.stream.TaskStreamEvent;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.client.FileServiceClient;
import io.cyberun.task.model.Task;
import io.cyberun.task.repository.TaskRepository;
import io.cyberun.task.service.TaskQueries;
import io.cyberun.task.service.TaskService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** The runtime task API: list, detail, result, cancel, and the JSON event log. */
@Path("/api/v1/r/tasks")
public class TaskResource {
    /** Most events one poll of the event log returns. */
    static final int MAX_EVENTS_PER_POLL = 500;
    /** Most changed tasks one {@code /changes} page returns. */
    static final int MAX_CHANGES = 200;
    static final String SINCE = "is required: the epoch milliseconds after which changes are wanted (a team stream's last event id)";

    private final TaskQueries queries;
    private final TaskService tasks;
    private final CurrentPrincipal principal;
    private final FileServiceClient files;

    public TaskResource(TaskQueries queries, TaskService tasks, CurrentPrincipal principal, @RestClient FileServiceClient files) {
        this.queries = queries;
        this.tasks = tasks;
        this.principal = principal;
        this.files = files;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<TaskList> list(@Valid @BeanParam Paging paging,
                              @QueryParam("status") @TaskStatusFilter String status,
                              @QueryParam("workflow_id") String workflowId,
                              @QueryParam("created_from") String createdFrom, @QueryParam("created_to") String createdTo) {
        PageRequest page = paging.request();
        TaskRepository.Filter filter = new TaskRepository.Filter(principal.teamId(), status == null || status.isBlank() ? null : status,
                QueryParams.uuid("workflow_id", workflowId), QueryParams.instant("created_from", createdFrom),
                QueryParams.instant("created_to", createdTo));
        return queries.list(filter, page.currentPage(), page.perPage())
                .map(p -> new TaskList(p.items().stream().map(t -> TaskViews.of(t, tasks.tail(t))).toList(), page.meta(p.total())));
    }

    /** One changed task: its state now and the number of its last event. */
    public record TaskChange(long seq, long changedAtMs, TaskView task) {
    }

    /** {@code more}: the page was full; ask again from the last change's {@code changed_at_ms}. */
    public record TaskChanges(List<TaskChange> changes, boolean more) {
    }

    /**
     * The team's tasks whose state changed after {@code since} (epoch milliseconds), oldest change first, each as it is
     * now: how a dashboard's team stream resumes, and its polling fallback. Progress, log lines and previews alone do
     * not count as a change.
     */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/changes")
    public Uni<TaskChanges> changes(@QueryParam("since") @NotBlank(message = SINCE) @WholeNumber(message = SINCE) String since,
                                    @QueryParam("limit") @WholeNumber(min = 1, max = MAX_CHANGES) String limit) {
        long from = QueryParams.longValue("since", since);
        Integer max = QueryParams.integer("limit", limit);
        int size = max == null ? MAX_CHANGES : max;
        // After the millisecond named: times are stored to the microsecond, so a change within that millisecond is not.
        return queries.changedSince(principal.teamId(), java.time.Instant.ofEpochMilli(from + 1), size)
                .map(found -> new TaskChanges(found.stream()
                        .map(t -> new TaskChange(t.seq, t.updatedAt.toEpochMilli(), TaskViews.of(t, tasks.tail(t)))).toList(),
                        found.size() == size));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}")
    public Uni<TaskView> get(@PathParam("id") UUID id) {
        return queries.get(principal.teamId(), id).map(t -> TaskViews.of(t, tasks.tail(t)));
    }

    /** The result of a task; for a completed one every call mints fresh download URLs. */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}/result")
    public Uni<TaskResultView> result(@PathParam("id") UUID id) {
        return queries.get(principal.teamId(), id).flatMap(task -> {
            List<String> keys = outputKeys(task);
            if (task.taskStatus() != TaskStatus.COMPLETED || keys.isEmpty()) {
                return Uni.createFrom().item(new TaskResultView(task.id, task.status, task.taskOutput, null, null, null,
                        task.taskError, task.completedAt));
            }
            return files.downloadLinks(new DownloadLinksRequest(keys)).map(links -> resultWithLinks(task, links));
        });
    }

    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/{id}/cancel")
    public Uni<Boolean> cancel(@PathParam("id") UUID id) {
        return tasks.cancel(principal.teamId(), id, "cancelled by " + principal.get().kind().wireName() + " " + principal.get().subject())
                .replaceWith(Boolean.TRUE);
    }

    /** A new task with the same parameters and workflow version as this one. */
    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/{id}/rerun")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "202", description = "Accepted: the new task id", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = TaskIdResponse.class)))
    public Uni<jakarta.ws.rs.core.Response> rerun(@PathParam("id") UUID id) {
        return tasks.rerun(principal.teamId(), id)
                .map(task -> jakarta.ws.rs.core.Response.accepted(new TaskIdResponse(task.id)).build());
    }

    public record EventLog(UUID taskId, String status, long lastSeq, List<TaskStreamEvent> events) {
    }

    /** The task's events after sequence number {@code after} (for clients that cannot use SSE, and for replay). */
    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}/events")
    public Uni<EventLog> events(@PathParam("id") UUID id, @QueryParam("after") @WholeNumber(max = Integer.MAX_VALUE, message = "must be a whole number, 0 or more") String after,
                                @QueryParam("limit") @WholeNumber(min = 1, max = MAX_EVENTS_PER_POLL) String limit) {
        Integer afterSeq = QueryParams.integer("after", after);
        Integer max = QueryParams.integer("limit", limit);
        return queries.events(principal.teamId(), id, afterSeq == null ? 0 : afterSeq, max == null ? MAX_EVENTS_PER_POLL : max)
                .map(page -> new EventLog(page.task().id, page.task().status, page.task().seq, page.events()));
    }

    private static List<String> outputKeys(Task task) {
        List<String> keys = new ArrayList<>();
        JsonNode output = task.taskOutput;
        if (output != null) {
            for (JsonNode file : output.path("files")) {
                keys.add(file.path("storage_key").asText());
            }
        }
        return keys;
    }

    private static TaskResultView resultWithLinks(Task task, DownloadLinks links) {
        Map<String, String> byKey = new LinkedHashMap<>();
        links.links().forEach(l -> byKey.put(l.storageKey(), l.url()));
        Map<String, String> byName = new LinkedHashMap<>();
        for (JsonNode file : task.taskOutput.path("files")) {
            String url = byKey.get(file.path("storage_key").asText());
            if (url != null) {
                // By the runtime's output identifier where it has one (ComfyUI: 9.images.0, as the notes show), else by name.
                byName.put(file.path("output_id").asText(file.path("name").asText()), url);
            }
        }
        String first = byName.values().stream().findFirst().orElse(null);
        Instant expires = links.expiresAt();
        return new TaskResultView(task.id, task.status, task.taskOutput, first, byName, expires, task.taskError, task.completedAt);
    }
}
