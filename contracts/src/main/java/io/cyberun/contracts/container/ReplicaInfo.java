package io.cyberun.contracts.container;

import java.time.Instant;

/** One replica as the platform shows it: where it runs and how it stands. */
public record ReplicaInfo(String replicaId, String agentId, ReplicaState state, String reason, int generation, Instant since) {
}
