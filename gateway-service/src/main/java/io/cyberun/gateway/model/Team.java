package io.cyberun.gateway.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "team")
public class Team {
    @Id
    public UUID id;
    @Column(name = "display_name", nullable = false)
    public String displayName;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
    /** Set when the owner deleted the team. */
    @Column(name = "deleted_at")
    public Instant deletedAt;
    /** Set once task-service confirmed that the deleted team's open tasks are cancelled. */
    @Column(name = "open_tasks_cancelled_at")
    public Instant openTasksCancelledAt;
}
