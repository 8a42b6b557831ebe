package io.cyberun.scheduler.registry;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.agent.AgentLiveness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The scheduler's Redis keys. Redis holds only state that can be rebuilt: agents re-announce themselves when
 * they reconnect, and tasks are re-submitted from task-service's log.
 */
@ApplicationScoped
public class RedisKeys {
    private final String p;

    public RedisKeys(CyberunConfig config) {
        this.p = config.redis().keyPrefix();
    }

    /** The prefix of every key (the scripts build keys from it). */
    public String prefix() {
        return p;
    }

    /** Hash of one agent: status, capacity, running, labels, vram, hub, session. */
    public String agent(UUID team, String agentId) {
        return agentPrefix(team) + agentId;
    }

    public String agentPrefix(UUID team) {
        return p + "agent:" + team + ":";
    }

    /** Set of every registered agent, as {@code team/agent}, for the liveness sweep. */
    public String allAgents() {
        return p + "agents-all";
    }

    /** The liveness key the hub renews while the agent is connected. */
    public String alive(UUID team, String agentId) {
        return AgentLiveness.key(p, team, agentId);
    }

    /** Set of a team's connected agent ids. */
    public String agents(UUID team) {
        return p + "agents:" + team;
    }

    /** Set of task ids holding a slot on one agent. */
    public String agentSlots(UUID team, String agentId) {
        return agentSlotsPrefix(team) + agentId;
    }

    public String agentSlotsPrefix(UUID team) {
        return p + "agent-slots:" + team + ":";
    }

    /** The agent a task holds a slot on. */
    public String slot(UUID task) {
        return p + "slot:" + task;
    }

    /** Hash of one task the scheduler tracks: team, spec, status, agent, attempt, priority, submitted. */
    public String task(UUID task) {
        return p + "task:" + task;
    }

    /** Sorted set of a team's tasks waiting for an agent, in dispatch order. */
    public String waiting(UUID team) {
        return p + "waiting:" + team;
    }

    /** Sorted set of dispatched, unacknowledged tasks by dispatch time. */
    public String unacknowledged() {
        return p + "unacked";
    }
}
