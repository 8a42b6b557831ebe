package io.cyberun.contracts.container;

import java.time.Instant;
import java.util.UUID;

/** An agent's word on one of its replicas; {@code since}: when it entered this state. */
public record ReplicaReport(UUID serviceId, String serviceSlug, String replicaId, int generation, ReplicaState state, String reason,
                            Instant since) {
}
