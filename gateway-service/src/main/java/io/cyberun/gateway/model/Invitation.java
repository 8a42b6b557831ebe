package io.cyberun.gateway.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A pending invitation; it is deleted when accepted or revoked. Only the token's SHA-256 is kept. */
@Entity
@Table(name = "invitation")
public class Invitation {
    @Id
    public UUID id;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(nullable = false)
    public String email;
    /** The wire name of the role the invitee gets. */
    @Column(nullable = false)
    public String role;
    @Column(name = "token_hash", nullable = false)
    public byte[] tokenHash;
    @Column(name = "created_by", nullable = false)
    public UUID createdBy;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;
}
