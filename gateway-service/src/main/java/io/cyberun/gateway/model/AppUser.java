package io.cyberun.gateway.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "app_user")
public class AppUser {
    @Id
    public UUID id;
    /** The OIDC subject, set at the first sign-in. */
    public String subject;
    @Column(nullable = false)
    public String email;
    @Column(name = "display_name")
    public String displayName;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
