package io.cyberun.task.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.container.ReplicaInfo;
import io.cyberun.task.model.ContainerService;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A container service as its managers see it (every field). {@code service_url}: where its calls go (the transparent
 * proxy); {@code replicas}: each replica's agent and state as last observed.
 */
public record ContainerServiceView(UUID id, String serviceSlug, String displayName, String serviceDesc, String serviceType,
                                   String dockerImage, String externalUrl, String externalAuthCredentialId, int exposedPort,
                                   String healthPath, JsonNode envConfig, JsonNode volumeConfig, List<String> requiredLabels,
                                   int gpuCount, int replicaCount, String usagePrompt, String openapiUrl, String serviceStatus,
                                   String statusReason, int generation, List<ReplicaInfo> replicas, String serviceUrl, Instant createdAt,
                                   Instant updatedAt) {

    static ContainerServiceView of(ContainerService s, ContainerServices services, String origin) {
        return new ContainerServiceView(s.id, s.serviceSlug, s.displayName, s.serviceDesc, s.serviceType, s.dockerImage, s.externalUrl,
                s.externalAuthCredentialId, s.exposedPort, s.healthPath, s.envConfig, s.volumeConfig, services.labels(s), s.gpuCount,
                s.replicaCount, s.usagePrompt, s.openapiUrl, s.serviceStatus, s.statusReason, s.generation, services.replicas(s),
                url(origin, s), s.createdAt, s.updatedAt);
    }

    static String url(String origin, ContainerService s) {
        return origin + "/api/v1/r/containers/" + s.serviceSlug + "/";
    }

    /**
     * What callers of the runtime API see (any role): how to call the service, not how it is run (no environment,
     * volumes or credential reference: usage_prompt is the place for what callers need).
     */
    public record Runtime(UUID id, String serviceSlug, String displayName, String serviceDesc, String serviceType, int exposedPort,
                          String healthPath, String usagePrompt, String openapiUrl, String serviceStatus, String statusReason,
                          int replicaCount, long healthyReplicas, String serviceUrl, String invokeUrl, Instant createdAt,
                          Instant updatedAt) {
        static Runtime of(ContainerService s, ContainerServices services, String origin) {
            long healthy = services.replicas(s).stream().filter(r -> r.state() == io.cyberun.contracts.container.ReplicaState.HEALTHY).count();
            return new Runtime(s.id, s.serviceSlug, s.displayName, s.serviceDesc, s.serviceType, s.exposedPort, s.healthPath, s.usagePrompt,
                    s.openapiUrl, s.serviceStatus, s.statusReason, s.replicaCount, healthy, url(origin, s),
                    origin + "/api/v1/r/invoke/" + s.serviceSlug, s.createdAt, s.updatedAt);
        }
    }
}
