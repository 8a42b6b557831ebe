package io.cyberun.agenthub.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.agenthub.AgentKeysFixture;
import io.cyberun.testing.CyberunTestResource;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The directory's scripts against the real Redis: a flush of a session that was on its way when the session was
 * removed (a revoked key, an agent that stayed away) does not bring its record back; a new session of the same agent
 * still writes it.
 */
@QuarkusTest
@QuarkusTestResource(CyberunTestResource.class)
@QuarkusTestResource(AgentKeysFixture.class)
class AgentDirectoryScriptsTests {
    static final Duration WAIT = Duration.ofSeconds(10);
    @Inject
    ReactiveRedisDataSource reactive;
    @Inject
    RedisDataSource redis;

    @Test
    void aLateFlushOfARemovedSessionDoesNotBringItsRecordBack() {
        String p = "directory-test-" + UUID.randomUUID() + ":";
        List<String> first = List.of(p + "live", p + "record", p + "members", p + "gone:s1");
        long written = AgentDirectory.WRITE.run(reactive, first, List.of("s1", "agent-1", "{\"agent_id\":\"agent-1\"}", "60", "30", "1"))
                .await().atMost(WAIT).toLong();
        assertThat(written).isEqualTo(1);
        assertThat(redis.value(String.class).get(p + "record")).isNotNull();

        AgentDirectory.REMOVE.run(reactive, first, List.of("s1", "agent-1", "60")).await().atMost(WAIT);
        assertThat(redis.value(String.class).get(p + "record")).isNull();
        // The flush that was already on its way arrives after the removal.
        long late = AgentDirectory.WRITE.run(reactive, first, List.of("s1", "agent-1", "{\"agent_id\":\"agent-1\"}", "60", "30", "0"))
                .await().atMost(WAIT).toLong();
        assertThat(late).isZero();
        assertThat(redis.value(String.class).get(p + "record")).isNull();
        assertThat(redis.value(String.class).get(p + "live")).isNull();
        assertThat(redis.set(String.class).smembers(p + "members")).isEmpty();

        // The agent comes back: a new session writes its record and liveness.
        List<String> second = List.of(p + "live", p + "record", p + "members", p + "gone:s2");
        AgentDirectory.WRITE.run(reactive, second, List.of("s2", "agent-1", "{\"agent_id\":\"agent-1\"}", "60", "30", "1")).await().atMost(WAIT);
        assertThat(redis.value(String.class).get(p + "record")).isNotNull();
        assertThat(redis.value(String.class).get(p + "live")).isEqualTo("s2");
        redis.key().del(p + "live", p + "record", p + "members", p + "gone:s1", p + "gone:s2");
    }
}
