package io.cyberun.contracts.container;

import java.util.List;
import java.util.UUID;

/**
 * A container service the scheduler must act on (task-service's record): run {@code replicaCount} replicas of
 * {@code template} (its {@code replicaId} unset) when {@code run}, otherwise stop them all. {@code observed} is the
 * last observation the scheduler reported, so it reports only changes.
 */
public record DesiredService(UUID serviceId, UUID teamId, String serviceSlug, boolean run, int replicaCount, List<String> requiredLabels,
                             ReplicaSpec template, ServiceObservation observed) {

    public static final String CREATED = "created";
    public static final String DEPLOYING = "deploying";
    public static final String RUNNING = "running";
    public static final String STOPPING = "stopping";
    public static final String STOPPED = "stopped";
    public static final String FAILED = "failed";

    public DesiredService {
        requiredLabels = requiredLabels == null ? List.of() : List.copyOf(requiredLabels);
    }

    /** Every service the scheduler must act on. */
    public record Page(List<DesiredService> services) {
        public Page {
            services = services == null ? List.of() : List.copyOf(services);
        }
    }
}
