package io.cyberun.task.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.container.DesiredService;
import io.cyberun.contracts.container.ReplicaInfo;
import io.cyberun.contracts.container.ReplicaSpec;
import io.cyberun.contracts.container.ServiceObservation;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.task.model.ContainerService;
import io.cyberun.task.repository.ContainerServiceRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Container service definitions and their lifecycle: created, then deploy (the scheduler places replica_count
 * replicas: {@code deploying} until one is healthy, then {@code running}) and stop ({@code stopping} until every
 * replica is gone, then {@code stopped}); {@code failed} when its replicas keep failing. Each deploy is a new
 * generation: the replicas of an older one are replaced.
 */
@ApplicationScoped
public class ContainerServices {
    static final int DEFAULT_PORT = 8080;
    static final String DEFAULT_HEALTH_PATH = "/health";

    private final ContainerServiceRepository services;
    private final ObjectMapper json;
    private final Clock clock;

    public record Page<T>(List<T> items, long total) {
    }

    public ContainerServices(ContainerServiceRepository services, ObjectMapper json, Clock clock) {
        this.services = services;
        this.json = json;
        this.clock = clock;
    }

    /** A new service ({@code created}); its fields were checked one by one already (Bean Validation). */
    public Uni<ContainerService> create(UUID teamId, ContainerServiceBody body) {
        Instant now = clock.instant();
        ContainerService s = new ContainerService();
        s.id = UUID.randomUUID();
        s.teamId = teamId;
        s.serviceSlug = body.serviceSlug();
        s.serviceType = body.serviceType() == null ? ReplicaSpec.DEPLOYED : body.serviceType();
        s.displayName = body.serviceSlug();
        s.serviceDesc = "";
        s.usagePrompt = "";
        s.exposedPort = DEFAULT_PORT;
        s.healthPath = DEFAULT_HEALTH_PATH;
        s.envConfig = json.createArrayNode();
        s.volumeConfig = json.createArrayNode();
        s.requiredLabels = json.createArrayNode();
        s.gpuCount = 0;
        s.replicaCount = 1;
        s.desiredState = ContainerService.NONE;
        s.serviceStatus = DesiredService.CREATED;
        s.replicaStatus = json.createArrayNode();
        s.createdAt = now;
        apply(s, body);
        checkAcrossFields(s);
        return Panache.withTransaction(() -> services.findBySlug(teamId, s.serviceSlug).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT, "the team already has a container service "
                        + s.serviceSlug + "; choose another service_slug", List.of(new FieldError("service_slug", "is taken in this team"))));
            }
            return services.persist(s);
        }));
    }

    /** Changes the fields the body gives; service_slug and service_type cannot change. Running replicas change on the next deploy. */
    public Uni<ContainerService> update(UUID teamId, UUID id, ContainerServiceBody body) {
        return Panache.withTransaction(() -> get(teamId, id).invoke(s -> {
            List<FieldError> immutable = new ArrayList<>();
            if (body.serviceSlug() != null && !body.serviceSlug().equals(s.serviceSlug)) {
                immutable.add(new FieldError("service_slug", "cannot change (it routes the service's calls); create a new service instead"));
            }
            if (body.serviceType() != null && !body.serviceType().equals(s.serviceType)) {
                immutable.add(new FieldError("service_type", "cannot change; create a new service instead"));
            }
            if (!immutable.isEmpty()) {
                throw ApiException.invalid(immutable.get(0).field() + " " + immutable.get(0).message(), immutable);
            }
            apply(s, body);
            checkAcrossFields(s);
        }));
    }

    @WithSession
    public Uni<ContainerService> get(UUID teamId, UUID id) {
        return services.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("container service"));
    }

    @WithSession
    public Uni<ContainerService> bySlug(UUID teamId, String slug) {
        return services.findBySlug(teamId, slug).onItem().ifNull().failWith(() -> ApiException.notFound("container service " + slug));
    }

    @WithSession
    public Uni<Page<ContainerService>> list(UUID teamId, int page, int perPage) {
        return services.page(teamId, page - 1, perPage).flatMap(items -> services.countInTeam(teamId).map(total -> new Page<>(items, total)));
    }

    /** Deletes the definition; the scheduler stops its replicas (it stops replicas of services that no longer exist). */
    public Uni<Void> delete(UUID teamId, UUID id) {
        return Panache.withTransaction(() -> get(teamId, id).flatMap(services::delete));
    }

    /** Deploys (again): a new generation whose replicas replace any running ones. */
    public Uni<ContainerService> deploy(UUID teamId, UUID id) {
        return Panache.withTransaction(() -> get(teamId, id).invoke(s -> {
            s.desiredState = ContainerService.RUN;
            s.generation++;
            s.serviceStatus = DesiredService.DEPLOYING;
            s.statusReason = null;
            s.updatedAt = clock.instant();
        }));
    }

    /** Stops every replica: {@code stopping} until none is left ({@code stopped} at once when none ran). */
    public Uni<ContainerService> stop(UUID teamId, UUID id) {
        return Panache.withTransaction(() -> get(teamId, id).invoke(s -> {
            boolean ran = !ContainerService.NONE.equals(s.desiredState) && !DesiredService.STOPPED.equals(s.serviceStatus);
            s.desiredState = ContainerService.STOP;
            s.serviceStatus = ran ? DesiredService.STOPPING : DesiredService.STOPPED;
            s.statusReason = null;
            s.updatedAt = clock.instant();
        }));
    }

    /** What the scheduler must act on, across teams. */
    @WithSession
    public Uni<DesiredService.Page> desired() {
        return services.desired().map(list -> new DesiredService.Page(list.stream().map(this::desired).toList()));
    }

    /**
     * Records what the scheduler observed, when it observed the generation and intent the service still has (a
     * report made before a new deploy or a stop is dropped; the next one will be about the current state).
     */
    public Uni<Boolean> observed(UUID id, int generation, boolean run, ServiceObservation observation) {
        return Panache.withTransaction(() -> services.findById(id).map(s -> {
            if (s == null || s.generation != generation || run != ContainerService.RUN.equals(s.desiredState)) {
                return false;
            }
            s.serviceStatus = observation.serviceStatus();
            s.statusReason = observation.statusReason();
            s.replicaStatus = json.valueToTree(observation.replicas());
            s.updatedAt = clock.instant();
            return true;
        }));
    }

    public List<ReplicaInfo> replicas(ContainerService s) {
        List<ReplicaInfo> out = new ArrayList<>();
        if (s.replicaStatus != null) {
            for (JsonNode r : s.replicaStatus) {
                out.add(json.convertValue(r, ReplicaInfo.class));
            }
        }
        return out;
    }

    private DesiredService desired(ContainerService s) {
        ServiceObservation observed = new ServiceObservation(s.serviceStatus, s.statusReason, replicas(s));
        return new DesiredService(s.id, s.teamId, s.serviceSlug, ContainerService.RUN.equals(s.desiredState), s.replicaCount,
                labels(s), template(s), observed);
    }

    /** The spec every replica of the service's current generation runs (its replica id is set by the scheduler). */
    ReplicaSpec template(ContainerService s) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : s.envConfig) {
            env.put(e.path("env_name").asText(), e.path("env_value").asText());
        }
        List<ReplicaSpec.Volume> volumes = new ArrayList<>();
        for (JsonNode v : s.volumeConfig) {
            volumes.add(new ReplicaSpec.Volume(v.path("host_path").asText(), v.path("container_path").asText()));
        }
        return new ReplicaSpec(s.id, s.serviceSlug, null, s.generation, s.serviceType, s.dockerImage, s.externalUrl,
                s.externalAuthCredentialId, s.exposedPort, s.healthPath, env, volumes, s.gpuCount);
    }

    public List<String> labels(ContainerService s) {
        List<String> labels = new ArrayList<>();
        s.requiredLabels.forEach(l -> labels.add(l.asText()));
        return labels;
    }

    private void apply(ContainerService s, ContainerServiceBody b) {
        s.displayName = b.displayName() != null ? b.displayName() : s.displayName;
        s.serviceDesc = b.serviceDesc() != null ? b.serviceDesc() : s.serviceDesc;
        s.dockerImage = b.dockerImage() != null ? b.dockerImage() : s.dockerImage;
        s.externalUrl = b.externalUrl() != null ? b.externalUrl() : s.externalUrl;
        s.externalAuthCredentialId = b.externalAuthCredentialId() != null ? b.externalAuthCredentialId() : s.externalAuthCredentialId;
        s.exposedPort = b.exposedPort() != null ? b.exposedPort() : s.exposedPort;
        s.healthPath = b.healthPath() != null ? b.healthPath() : s.healthPath;
        s.envConfig = b.envConfig() != null ? json.valueToTree(b.envConfig()) : s.envConfig;
        s.volumeConfig = b.volumeConfig() != null ? json.valueToTree(b.volumeConfig()) : s.volumeConfig;
        s.requiredLabels = b.requiredLabels() != null ? json.valueToTree(b.requiredLabels().stream().distinct().toList()) : s.requiredLabels;
        s.gpuCount = b.gpuCount() != null ? b.gpuCount() : s.gpuCount;
        s.replicaCount = b.replicaCount() != null ? b.replicaCount() : s.replicaCount;
        s.usagePrompt = b.usagePrompt() != null ? b.usagePrompt() : s.usagePrompt;
        s.openapiUrl = b.openapiUrl() != null ? b.openapiUrl() : s.openapiUrl;
        s.updatedAt = clock.instant();
    }

    /** The rules between fields: what each service type needs and allows. */
    static void checkAcrossFields(ContainerService s) {
        List<FieldError> errors = new ArrayList<>();
        if (ReplicaSpec.EXTERNAL.equals(s.serviceType)) {
            if (s.externalUrl == null) {
                errors.add(new FieldError("external_url", "is required for an external service (the https:// URL it fronts)"));
            }
            if (s.dockerImage != null) {
                errors.add(new FieldError("docker_image", "is for deployed services only; an external service runs no image"));
            }
            if (!s.volumeConfig.isEmpty()) {
                errors.add(new FieldError("volume_config", "is for deployed services only"));
            }
        } else {
            if (s.dockerImage == null) {
                errors.add(new FieldError("docker_image", "is required for a deployed service, e.g. vllm/vllm-openai:latest"));
            }
            if (s.externalUrl != null) {
                errors.add(new FieldError("external_url", "is for external services only"));
            }
            if (s.externalAuthCredentialId != null) {
                errors.add(new FieldError("external_auth_credential_id", "is for external services only"));
            }
        }
        List<String> names = new ArrayList<>();
        s.envConfig.forEach(e -> names.add(e.path("env_name").asText()));
        if (names.stream().distinct().count() != names.size()) {
            errors.add(new FieldError("env_config", "names a variable twice"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors.get(0).field() + " " + errors.get(0).message(), errors);
        }
    }
}
