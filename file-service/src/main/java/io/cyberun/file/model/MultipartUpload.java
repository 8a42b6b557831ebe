package io.cyberun.file.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A multipart upload in progress: its parts are presigned one by one and checked when it is completed. */
@Entity
@Table(name = "multipart_upload")
public class MultipartUpload {
    public static final String INPUT = "input";
    public static final String MODEL = "model";

    @Id
    @Column(name = "upload_id")
    public String uploadId;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(nullable = false)
    public String kind;
    @Column(name = "storage_key", nullable = false)
    public String storageKey;
    @Column(name = "file_name", nullable = false)
    public String fileName;
    @Column(name = "file_size", nullable = false)
    public long fileSize;
    @Column(name = "content_type", nullable = false)
    public String contentType;
    @Column(name = "part_size", nullable = false)
    public long partSize;
    @Column(name = "part_count", nullable = false)
    public int partCount;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    /** The exact size of part {@code number} (1-based): every part is {@code part_size} but the last. */
    public long sizeOf(int number) {
        return number < partCount ? partSize : fileSize - partSize * (partCount - 1);
    }
}
