package io.cyberun.task.model;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A team's endpoint for task events, with the secret its deliveries are signed with. */
@Entity
@Table(name = "webhook")
public class Webhook {
    @Id
    public UUID id;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(name = "display_name", nullable = false)
    public String displayName;
    @Column(name = "webhook_url", nullable = false)
    public String webhookUrl;
    /** A JSON array of event types. */
    @Convert(converter = JsonText.class)
    @Column(name = "webhook_events", nullable = false)
    public JsonNode webhookEvents;
    @Column(name = "webhook_secret", nullable = false)
    public String webhookSecret;
    @Column(name = "webhook_status", nullable = false)
    public String webhookStatus;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
    @Column(name = "last_delivered_at")
    public Instant lastDeliveredAt;

    public boolean wants(String eventType) {
        if (!"active".equals(webhookStatus) || webhookEvents == null) {
            return false;
        }
        for (JsonNode e : webhookEvents) {
            if (eventType.equals(e.asText())) {
                return true;
            }
        }
        return false;
    }
}
