package io.cyberun.task.model;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A team's container service: its definition, what the scheduler must do with it ({@code desiredState} run, stop, or
 * none before the first deploy) and what the scheduler last observed ({@code serviceStatus}, {@code replicaStatus}).
 */
@Entity
@Table(name = "container_service")
public class ContainerService {
    public static final String RUN = "run";
    public static final String STOP = "stop";
    public static final String NONE = "none";

    @Id
    public UUID id;
    @Column(name = "team_id", nullable = false)
    public UUID teamId;
    @Column(name = "service_slug", nullable = false)
    public String serviceSlug;
    @Column(name = "display_name", nullable = false)
    public String displayName;
    @Column(name = "service_desc", nullable = false)
    public String serviceDesc;
    @Column(name = "service_type", nullable = false)
    public String serviceType;
    @Column(name = "docker_image")
    public String dockerImage;
    @Column(name = "external_url")
    public String externalUrl;
    @Column(name = "external_auth_credential_id")
    public String externalAuthCredentialId;
    @Column(name = "exposed_port", nullable = false)
    public int exposedPort;
    @Column(name = "health_path", nullable = false)
    public String healthPath;
    /** A JSON array of {env_name, env_value}. */
    @Convert(converter = JsonText.class)
    @Column(name = "env_config", nullable = false)
    public JsonNode envConfig;
    /** A JSON array of {host_path, container_path}. */
    @Convert(converter = JsonText.class)
    @Column(name = "volume_config", nullable = false)
    public JsonNode volumeConfig;
    @Convert(converter = JsonText.class)
    @Column(name = "required_labels", nullable = false)
    public JsonNode requiredLabels;
    @Column(name = "gpu_count", nullable = false)
    public int gpuCount;
    @Column(name = "replica_count", nullable = false)
    public int replicaCount;
    @Column(name = "usage_prompt", nullable = false)
    public String usagePrompt;
    @Column(name = "openapi_url")
    public String openapiUrl;
    @Column(name = "desired_state", nullable = false)
    public String desiredState;
    @Column(name = "generation", nullable = false)
    public int generation;
    @Column(name = "service_status", nullable = false)
    public String serviceStatus;
    @Column(name = "status_reason")
    public String statusReason;
    /** A JSON array of the replicas the scheduler last observed ({@code ReplicaInfo}). */
    @Convert(converter = JsonText.class)
    @Column(name = "replica_status", nullable = false)
    public JsonNode replicaStatus;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
