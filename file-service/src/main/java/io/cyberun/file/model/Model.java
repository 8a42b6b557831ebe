package io.cyberun.file.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A model file of a team. On an agent it lands at {@code <models dir>/<model_type>/<model_path>}, and workflows
 * name it in {@code required_models} as {@code <model_type>/<model_path>}.
 */
@Entity
@Table(name = "model")
public class Model {
    public static final String ACTIVE = "active";
    public static final String DISABLED = "disabled";

    @Id
    public UUID id;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(name = "display_name", nullable = false)
    public String displayName;
    @Column(name = "model_type", nullable = false)
    public String modelType;
    @Column(name = "model_path", nullable = false)
    public String modelPath;
    @Column(name = "storage_key", nullable = false)
    public String storageKey;
    @Column(name = "file_size", nullable = false)
    public long fileSize;
    @Column(name = "file_hash", nullable = false)
    public String fileHash;
    @Column(name = "model_status", nullable = false)
    public String modelStatus;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The name workflows use in {@code required_models}. */
    public String name() {
        return modelType + "/" + modelPath;
    }
}
