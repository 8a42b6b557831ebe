package io.cyberun.task.model;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One saved version of a workflow, whole and immutable. */
@Entity
@Table(name = "workflow_snapshot")
public class WorkflowSnapshot {
    @Id
    public UUID id;
    @Column(name = "workflow_id", nullable = false)
    public UUID workflowId;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(name = "workflow_version", nullable = false)
    public int workflowVersion;
    /** The WorkflowDefinition of this version as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public JsonNode definition;
    @Column(name = "snapshot_note")
    public String snapshotNote;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
