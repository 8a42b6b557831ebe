package io.cyberun.task.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One event to send to one webhook: stored with the change that caused it, then sent by the dispatcher with up to
 * four attempts ({@code pending} → {@code delivered} or {@code failed}).
 */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDelivery {
    @Id
    public UUID id;
    @Column(name = "webhook_id", nullable = false)
    public UUID webhookId;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(name = "task_id", nullable = false)
    public UUID taskId;
    @Column(name = "event_type", nullable = false)
    public String eventType;
    /** The exact body sent (and signed). */
    @Column(nullable = false)
    public String payload;
    @Column(name = "delivery_status", nullable = false)
    public String deliveryStatus;
    @Column(nullable = false)
    public int attempts;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "last_status_code")
    public Integer lastStatusCode;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "resend_of")
    public UUID resendOf;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "delivered_at")
    public Instant deliveredAt;
}
