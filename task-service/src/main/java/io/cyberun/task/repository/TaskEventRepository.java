package io.cyberun.task.repository;

import io.cyberun.task.model.TaskEventRecord;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class TaskEventRepository implements PanacheRepositoryBase<TaskEventRecord, Long> {

    /** A task's events after sequence number {@code afterSeq}, in order, at most {@code limit}. */
    public Uni<List<TaskEventRecord>> after(UUID teamId, UUID taskId, long afterSeq, int limit) {
        return find("teamId = ?1 and taskId = ?2 and seq > ?3", Sort.by("seq"), teamId, taskId, afterSeq)
                .range(0, limit - 1).list();
    }
}
