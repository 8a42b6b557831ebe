package io.cyberun.agent.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.protocol.TunnelProtocol;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TunnelsTests {
    final List<AgentMessage> sent = new ArrayList<>();
    final AtomicInteger statusChanges = new AtomicInteger();
    Instant now = Instant.parse("2026-12-04T10:00:00Z");

    Tunnels tunnels() {
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new Tunnels(Set.of(8188), Duration.ofMinutes(30), sent::add, statusChanges::incrementAndGet, clock);
    }

    @Test
    void aPortTheAgentDoesNotAllowIsRefusedNamingTheAllowedOnes() {
        Tunnels tunnels = tunnels();
        tunnels.open(new HubMessage.TunnelOpen("s1", 22, TunnelProtocol.Kind.TCP));
        assertThat(sent).singleElement().isInstanceOfSatisfying(AgentMessage.TunnelState.class, s -> {
            assertThat(s.open()).isFalse();
            assertThat(s.reason()).contains("port 22").contains("8188").contains("tunnel_ports");
        });
        assertThat(tunnels.anyOpen()).isFalse();
        assertThat(statusChanges).hasValue(0);
    }

    @Test
    void anOpenSessionMakesTheAgentTunnelUntilItsLastSessionCloses() {
        Tunnels tunnels = tunnels();
        tunnels.open(new HubMessage.TunnelOpen("s1", 8188, TunnelProtocol.Kind.HTTP));
        tunnels.open(new HubMessage.TunnelOpen("s2", 8188, TunnelProtocol.Kind.HTTP));
        assertThat(tunnels.anyOpen()).isTrue();
        tunnels.close(new HubMessage.TunnelClose("s1"));
        assertThat(tunnels.anyOpen()).isTrue();
        tunnels.close(new HubMessage.TunnelClose(null));
        assertThat(tunnels.anyOpen()).isFalse();
        assertThat(sent).extracting(m -> ((AgentMessage.TunnelState) m).open()).containsExactly(true, true, false, false);
        assertThat(statusChanges).hasValue(4);
    }

    @Test
    void aSessionNothingUsedForTheIdleLimitIsClosedByTheAgent() {
        Tunnels tunnels = tunnels();
        tunnels.open(new HubMessage.TunnelOpen("s1", 8188, TunnelProtocol.Kind.HTTP));
        now = now.plus(Duration.ofMinutes(29));
        tunnels.closeIdle();
        assertThat(tunnels.anyOpen()).isTrue();
        now = now.plus(Duration.ofMinutes(2));
        tunnels.closeIdle();
        assertThat(tunnels.anyOpen()).isFalse();
        assertThat(sent.getLast()).isEqualTo(new AgentMessage.TunnelState("s1", false, "idle for 30 min"));
    }
}
