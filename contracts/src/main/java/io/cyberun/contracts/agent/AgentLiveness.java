package io.cyberun.contracts.agent;

import java.util.UUID;

/**
 * How the hub tells the rest of the platform an agent is still there without a Kafka message per heartbeat: a
 * Redis key per connected agent, holding its session id, that the hub replica holding the agent rewrites on
 * every message with a time to live of the silence limit. If the replica dies, the key expires and the scheduler
 * treats the agent as disconnected.
 */
public final class AgentLiveness {
    private AgentLiveness() {
    }

    /** The liveness key of an agent, under the deployment's Redis key prefix. */
    public static String key(String redisPrefix, UUID teamId, String agentId) {
        return redisPrefix + "agent-alive:" + teamId + ":" + agentId;
    }
}
