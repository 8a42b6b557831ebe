package io.cyberun.gateway.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An sk-, ak- or dk- credential; the secret itself is never stored, only its SHA-256. */
@Entity
@Table(name = "credential")
public class Credential {
    @Id
    public UUID id;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    /** integration, agent or device. */
    @Column(nullable = false)
    public String kind;
    @Column(name = "display_name", nullable = false)
    public String displayName;
    @Column(name = "key_prefix", nullable = false)
    public String keyPrefix;
    @Column(name = "secret_hash", nullable = false)
    public byte[] secretHash;
    public String role;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "companion_id")
    public UUID companionId;
    @Column(name = "key_status", nullable = false)
    public String keyStatus;
    @Column(name = "created_by")
    public UUID createdBy;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "last_used_at")
    public Instant lastUsedAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "revoked_at")
    public Instant revokedAt;
}
