package io.cyberun.task.model;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One event of a task's log, stored as the CloudEvent that is published. Written in the transaction of the
 * change it records, with its row in {@code task_event_outbox} until the relay has published it.
 */
@Entity
@Table(name = "task_event")
public class TaskEventRecord {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long position;
    @Column(nullable = false, unique = true)
    public UUID id;
    @Column(name = "task_id", nullable = false)
    public UUID taskId;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(nullable = false)
    public long seq;
    @Column(nullable = false)
    public String type;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public JsonNode envelope;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
