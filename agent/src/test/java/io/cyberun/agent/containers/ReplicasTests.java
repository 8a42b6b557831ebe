package io.cyberun.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.container.ReplicaReport;
import io.cyberun.contracts.container.ReplicaSpec;
import io.cyberun.contracts.container.ReplicaState;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ReplicasTests {
    final List<AgentMessage> sent = new CopyOnWriteArrayList<>();
    final Replicas replicas = new Replicas(new ProcessRuntime(Map.of(), java.nio.file.Path.of("target"), java.nio.file.Path.of(".")),
            Map.of("vault-1", "Bearer secret"), sent::add, Clock.systemUTC());

    static ReplicaSpec external(String replica, String credential) {
        return new ReplicaSpec(UUID.randomUUID(), "ext", replica, 1, ReplicaSpec.EXTERNAL, null, "https://api.example.com/", credential, 8080,
                "/health", Map.of(), List.of(), 0);
    }

    ReplicaReport last(String replica) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.get(i) instanceof AgentMessage.ReplicaStates s) {
                for (ReplicaReport r : s.replicas()) {
                    if (replica.equals(r.replicaId())) {
                        return r;
                    }
                }
            }
        }
        return null;
    }

    @Test
    void anExternalServiceIsCalledWithTheCredentialTheAgentHolds() {
        replicas.start(new HubMessage.ReplicaStart(external("ext-1", "vault-1")));
        assertThat(replicas.target("ext-1").base()).isEqualTo("https://api.example.com");
        assertThat(replicas.target("ext-1").authorization()).isEqualTo("Bearer secret");
        assertThat(last("ext-1").state()).isEqualTo(ReplicaState.STARTING);

        replicas.start(new HubMessage.ReplicaStart(external("ext-2", "not-held")));
        assertThat(last("ext-2").state()).isEqualTo(ReplicaState.FAILED);
        assertThat(last("ext-2").reason()).contains("no credential not-held").contains("external_credentials");
        assertThat(replicas.target("ext-2")).isNull();
    }

    @Test
    void stoppingAReplicaItDoesNotKnowIsReportedStoppedSoThePlatformForgetsIt() {
        replicas.stop(new HubMessage.ReplicaStop(UUID.randomUUID(), "ghost"));
        assertThat(last("ghost").state()).isEqualTo(ReplicaState.STOPPED);
        replicas.start(new HubMessage.ReplicaStart(external("ext-3", null)));
        replicas.stop(new HubMessage.ReplicaStop(UUID.randomUUID(), "ext-3"));
        assertThat(last("ext-3").state()).isEqualTo(ReplicaState.STOPPED);
        assertThat(replicas.target("ext-3")).isNull();
    }
}
