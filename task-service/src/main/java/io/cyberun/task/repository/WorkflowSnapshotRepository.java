package io.cyberun.task.repository;

import io.cyberun.task.model.WorkflowSnapshot;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class WorkflowSnapshotRepository implements PanacheRepositoryBase<WorkflowSnapshot, UUID> {

    public Uni<WorkflowSnapshot> findVersion(UUID teamId, UUID workflowId, int version) {
        return find("teamId = ?1 and workflowId = ?2 and workflowVersion = ?3", teamId, workflowId, version).firstResult();
    }

    public Uni<WorkflowSnapshot> findInWorkflow(UUID teamId, UUID workflowId, UUID snapshotId) {
        return find("id = ?1 and teamId = ?2 and workflowId = ?3", snapshotId, teamId, workflowId).firstResult();
    }

    /** Newest first. */
    public Uni<List<WorkflowSnapshot>> page(UUID teamId, UUID workflowId, int pageIndex, int pageSize) {
        return find("teamId = ?1 and workflowId = ?2", Sort.by("workflowVersion").descending(), teamId, workflowId)
                .page(Page.of(pageIndex, pageSize)).list();
    }

    public Uni<Long> countFor(UUID teamId, UUID workflowId) {
        return count("teamId = ?1 and workflowId = ?2", teamId, workflowId);
    }
}
