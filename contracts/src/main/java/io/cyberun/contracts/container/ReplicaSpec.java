package io.cyberun.contracts.container;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What an agent needs to run one replica of a container service: the scheduler sends it with the start command.
 * {@code generation} counts the service's deployments: a replica of an older one is replaced.
 *
 * @param serviceType              {@code deployed} (the agent runs {@code dockerImage}) or {@code external} (the agent
 *                                 relays to {@code externalUrl}, attaching the credential it holds under
 *                                 {@code externalAuthCredentialId})
 * @param gpuCount                 0 CPU only, N GPUs, or -1 every GPU
 */
public record ReplicaSpec(UUID serviceId, String serviceSlug, String replicaId, int generation, String serviceType, String dockerImage,
                          String externalUrl, String externalAuthCredentialId, int exposedPort, String healthPath,
                          Map<String, String> env, List<Volume> volumes, int gpuCount) {

    public static final String DEPLOYED = "deployed";
    public static final String EXTERNAL = "external";

    public ReplicaSpec {
        env = env == null ? Map.of() : Map.copyOf(env);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    public boolean external() {
        return EXTERNAL.equals(serviceType);
    }

    /** A host directory mounted into the container. */
    public record Volume(String hostPath, String containerPath) {
    }
}
