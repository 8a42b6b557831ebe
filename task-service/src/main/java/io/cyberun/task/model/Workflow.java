package io.cyberun.task.model;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The live version of a workflow; every save bumps {@link #version} and stores a {@link WorkflowSnapshot}. */
@Entity
@Table(name = "workflow")
public class Workflow {
    @Id
    public UUID id;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(name = "workflow_slug", nullable = false)
    public String workflowSlug;
    @Column(name = "display_name", nullable = false)
    public String displayName;
    public String description;
    @Column(nullable = false)
    public int version;
    @Column(name = "workflow_status", nullable = false)
    public String workflowStatus;
    @Column(name = "tool_type", nullable = false)
    public String toolType;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "workflow_json", nullable = false)
    public JsonNode workflowJson;
    /** The ParameterDef list as JSON. */
    @Convert(converter = JsonText.class)
    @Column(nullable = false)
    public JsonNode parameters;
    @Convert(converter = JsonText.class)
    @Column(name = "required_labels", nullable = false)
    public JsonNode requiredLabels;
    @Convert(converter = JsonText.class)
    @Column(name = "required_models", nullable = false)
    public JsonNode requiredModels;
    @Column(name = "task_timeout", nullable = false)
    public int taskTimeout;
    @Column(name = "max_retries", nullable = false)
    public int maxRetries;
    @Column(name = "min_vram_gb")
    public Integer minVramGb;
    @Column(name = "preferred_gpu")
    public String preferredGpu;
    @Column(name = "default_dispatch_target")
    public String defaultDispatchTarget;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public boolean isActive() {
        return "active".equals(workflowStatus);
    }
}
