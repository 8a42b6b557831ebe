package io.cyberun.task.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.task.TaskStatus;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One run of a workflow. Only task-service writes it, through the state machine. */
@Entity
@Table(name = "task")
public class Task {
    @Id
    public UUID id;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(name = "workflow_id", nullable = false)
    public UUID workflowId;
    @Column(name = "workflow_version", nullable = false)
    public int workflowVersion;
    @Column(name = "workflow_slug", nullable = false)
    public String workflowSlug;
    @Column(name = "tool_type", nullable = false)
    public String toolType;
    /** The wire name of the {@link TaskStatus}. */
    @Column(nullable = false)
    public String status;
    @Column(nullable = false)
    public long seq;
    @Column(nullable = false)
    public int attempt;
    @Column(name = "retry_count", nullable = false)
    public int retryCount;
    @Column(name = "max_retries", nullable = false)
    public int maxRetries;
    @Column(name = "agent_id")
    public String agentId;
    @Column(name = "gpu_type")
    public String gpuType;
    /** Labels of the agent it was dispatched to, as JSON. */
    @Convert(converter = JsonText.class)
    @Column(name = "agent_labels")
    public JsonNode agentLabels;
    /** The hub replica holding that agent. */
    @Column(name = "gateway_id")
    public String gatewayId;
    /** The TaskSpec as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public JsonNode spec;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public JsonNode parameters;
    public Double progress;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "progress_info")
    public JsonNode progressInfo;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "task_output")
    public JsonNode taskOutput;
    @Column(name = "task_error")
    public String taskError;
    /** The last log lines, a bounded tail. */
    @Convert(converter = JsonText.class)
    @Column(name = "last_logs", nullable = false)
    public JsonNode lastLogs;
    @Column(name = "dispatch_target", nullable = false)
    public String dispatchTarget;
    @Column(name = "target_pool", nullable = false)
    public String targetPool;
    @Column(name = "submitter_region")
    public String submitterRegion;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "queued_at")
    public Instant queuedAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "completed_at")
    public Instant completedAt;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
    /** The workflow's task_timeout in seconds (0: none). */
    @Column(name = "task_timeout", nullable = false)
    public int taskTimeout;
    /** When the running attempt times out; set only while running with a timeout. */
    @Column(name = "deadline_at")
    public Instant deadlineAt;

    public TaskStatus taskStatus() {
        return TaskStatus.fromWire(status);
    }

}
