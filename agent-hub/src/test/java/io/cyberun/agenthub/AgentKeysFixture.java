package io.cyberun.agenthub;

import io.cyberun.contracts.auth.AgentKeyDirectory;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.Namespace;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Stands in for the gateway's writes to the agent-key directory (our own service, not infrastructure): two active
 * agent keys of two teams, in the test's real Redis, as {@link AgentKeyDirectory} defines them, and the ready mark.
 */
public class AgentKeysFixture implements QuarkusTestResourceLifecycleManager {
    public static final String KEY = "ak-hubtest0000000000000000000000000000000000";
    public static final String OTHER_TEAM_KEY = "ak-hubtest1111111111111111111111111111111111";
    public static final UUID TEAM = UUID.randomUUID();
    public static final UUID OTHER_TEAM = UUID.randomUUID();
    public static final UUID CREDENTIAL = UUID.randomUUID();
    public static final UUID OTHER_CREDENTIAL = UUID.randomUUID();

    @Override
    public Map<String, String> start() {
        publish(KEY, AgentKeyDirectory.Entry.active(CREDENTIAL, TEAM, null));
        publish(OTHER_TEAM_KEY, AgentKeyDirectory.Entry.active(OTHER_CREDENTIAL, OTHER_TEAM, null));
        ready(true);
        return Map.of();
    }

    /** Writes a key's entry and index field as the gateway does. */
    public static void publish(String secret, AgentKeyDirectory.Entry entry) {
        Namespace ns = CyberunTestContext.get().namespace();
        String name = AgentKeyDirectory.entry(ns.redisPrefix(), AgentKeyDirectory.hash(secret));
        ns.redis("SET", name, entry.encode());
        if (entry.revoked()) {
            ns.redis("HDEL", AgentKeyDirectory.index(ns.redisPrefix()), entry.credentialId().toString());
        } else {
            ns.redis("HSET", AgentKeyDirectory.index(ns.redisPrefix()), entry.credentialId().toString(), name);
        }
    }

    /** Sets or removes the mark the gateway writes once every active key is in. */
    public static void ready(boolean ready) {
        Namespace ns = CyberunTestContext.get().namespace();
        String mark = AgentKeyDirectory.ready(ns.redisPrefix());
        if (ready) {
            ns.redis("SET", mark, Instant.now().toString());
        } else {
            ns.redis("DEL", mark);
        }
    }

    @Override
    public void stop() {
    }
}
