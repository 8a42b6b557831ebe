package io.cyberun.task.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.events.EventCodec;
import io.cyberun.contracts.events.EventEnvelope;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.stream.TaskStreamEvent;
import io.cyberun.task.model.Task;
import io.cyberun.task.repository.TaskEventRepository;
import io.cyberun.task.repository.TaskRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Reads of tasks and their event logs, always within one team. */
@ApplicationScoped
public class TaskQueries {
    private final TaskRepository tasks;
    private final TaskEventRepository events;
    private final EventCodec codec;
    private final ObjectMapper json;

    public TaskQueries(TaskRepository tasks, TaskEventRepository events, ObjectMapper json) {
        this.tasks = tasks;
        this.events = events;
        this.codec = new EventCodec(json);
        this.json = json;
    }

    @WithSession
    public Uni<Task> get(UUID teamId, UUID taskId) {
        return tasks.findInTeam(teamId, taskId).onItem().ifNull().failWith(() -> ApiException.notFound("task"));
    }

    public record TaskPage(List<Task> items, long total) {
    }

    @WithSession
    public Uni<TaskPage> list(TaskRepository.Filter filter, int page, int perPage) {
        return tasks.page(filter, page - 1, perPage).flatMap(items -> tasks.count(filter).map(total -> new TaskPage(items, total)));
    }

    /** The team's tasks whose state changed after {@code since}, oldest change first. */
    @WithSession
    public Uni<List<Task>> changedSince(UUID teamId, java.time.Instant since, int limit) {
        return tasks.changedSince(teamId, since, limit);
    }

    public record EventsPage(Task task, List<TaskStreamEvent> events) {
    }

    /** The task's events after sequence number {@code after}, as the live stream sends them. */
    @WithSession
    public Uni<EventsPage> events(UUID teamId, UUID taskId, long after, int limit) {
        return get(teamId, taskId).flatMap(task -> events.after(teamId, taskId, after, limit)
                .map(rows -> new EventsPage(task, rows.stream()
                        .map(row -> TaskStreamEvent.of(codec.decode(TaskEvent.FAMILY, row.envelope.toString()).data(), json))
                        .toList())));
    }
}
