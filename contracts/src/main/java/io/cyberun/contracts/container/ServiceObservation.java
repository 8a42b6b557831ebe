package io.cyberun.contracts.container;

import java.util.List;

/** What the scheduler observed of a service's replicas: its status, why, and each replica. */
public record ServiceObservation(String serviceStatus, String statusReason, List<ReplicaInfo> replicas) {
    public ServiceObservation {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }
}
