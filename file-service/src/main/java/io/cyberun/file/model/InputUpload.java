package io.cyberun.file.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An input key file-service issued to a team: the object may or may not have been uploaded yet. */
@Entity
@Table(name = "input_upload")
public class InputUpload {
    @Id
    @Column(name = "storage_key")
    public String storageKey;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(name = "file_name", nullable = false)
    public String fileName;
    @Column(name = "file_size", nullable = false)
    public long fileSize;
    @Column(name = "content_type", nullable = false)
    public String contentType;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;
}
