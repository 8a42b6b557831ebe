package io.cyberun.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.auth.AgentKeyDirectory;
import io.cyberun.gateway.UpstreamStub;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.Namespace;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The agent-key directory's ready mark, which tells agent-hub that an unknown key is unknown rather than lost. */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "gateway"), @ResourceArg(name = "gateway", value = "true")})
@QuarkusTestResource(UpstreamStub.class)
class AgentKeyPublisherTests {
    @Inject
    AgentKeyPublisher publisher;

    @Test
    void aReconciliationWhoseMarkRedisLostMeanwhileDoesNotMarkTheDirectoryReady() {
        Namespace ns = CyberunTestContext.get().namespace();
        String ready = AgentKeyDirectory.ready(ns.redisPrefix());
        String reconciling = AgentKeyDirectory.reconciling(ns.redisPrefix());
        // (The gateway's own check may start a reconciliation meanwhile: it writes a token of its own, never "mine".)
        // Redis lost everything while the reconciliation "mine" ran: its mark is gone, and so are the keys it wrote.
        ns.redis("DEL", ready, reconciling);
        assertThat(publisher.markReady("mine", Instant.now()).await().atMost(Duration.ofSeconds(10))).isFalse();
        // Another reconciliation began since: it, not "mine", marks the directory ready.
        ns.redis("SET", reconciling, "theirs");
        assertThat(publisher.markReady("mine", Instant.now()).await().atMost(Duration.ofSeconds(10))).isFalse();
        // The gateway's check finds the mark missing and runs a whole reconciliation, which marks it.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ns.redis("GET", ready) != null);
    }
}
