package io.cyberun.task.repository;

import io.cyberun.task.model.Task;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Task queries; reads are scoped to a team, writes lock the row so one task changes one at a time. */
@ApplicationScoped
public class TaskRepository implements PanacheRepositoryBase<Task, UUID> {

    public Uni<Task> findInTeam(UUID teamId, UUID id) {
        return find("id = ?1 and teamId = ?2", id, teamId).firstResult();
    }

    public record Filter(UUID teamId, String status, UUID workflowId, Instant createdFrom, Instant createdTo) {
        String query() {
            StringBuilder q = new StringBuilder("teamId = :team");
            if (status != null) {
                q.append(" and status = :status");
            }
            if (workflowId != null) {
                q.append(" and workflowId = :workflow");
            }
            if (createdFrom != null) {
                q.append(" and createdAt >= :from");
            }
            if (createdTo != null) {
                q.append(" and createdAt < :to");
            }
            return q.toString();
        }

        Parameters parameters() {
            Parameters p = Parameters.with("team", teamId);
            if (status != null) {
                p = p.and("status", status);
            }
            if (workflowId != null) {
                p = p.and("workflow", workflowId);
            }
            if (createdFrom != null) {
                p = p.and("from", createdFrom);
            }
            if (createdTo != null) {
                p = p.and("to", createdTo);
            }
            return p;
        }
    }

    public Uni<List<Task>> page(Filter filter, int pageIndex, int pageSize) {
        return find(filter.query(), Sort.by("createdAt").descending().and("id"), filter.parameters())
                .page(Page.of(pageIndex, pageSize)).list();
    }

    public Uni<Long> count(Filter filter) {
        return count(filter.query(), filter.parameters());
    }

    /** Ids of the team's tasks that have not reached a terminal state, oldest first, at most {@code limit}. */
    public Uni<List<UUID>> openIds(UUID teamId, int limit) {
        return find("teamId = ?1 and status not in ('completed', 'failed', 'cancelled')", Sort.by("createdAt").and("id"), teamId)
                .page(Page.ofSize(limit)).list().map(tasks -> tasks.stream().map(t -> t.id).toList());
    }

    /**
     * The team's tasks whose state changed (an event other than progress, a log line or a preview) at or after
     * {@code from}, in the order of their last change, at most {@code limit}. The event predicate matches the partial
     * index {@code task_event_team_changes} word for word.
     */
    public Uni<List<Task>> changedSince(UUID teamId, Instant from, int limit) {
        return find("teamId = ?1 and id in (select e.taskId from TaskEventRecord e where e.teamId = ?1 and e.createdAt >= ?2"
                + " and e.type not in ('io.cyberun.task.progressed', 'io.cyberun.task.logged', 'io.cyberun.task.previewed'))",
                Sort.by("updatedAt").and("id"), teamId, from)
                .page(Page.ofSize(limit)).list();
    }
}
