package io.cyberun.contracts.events;

import io.cyberun.contracts.container.ReplicaSpec;
import io.cyberun.contracts.task.TaskSpec;
import java.util.List;
import java.util.UUID;

/** A command for one agent, on topic {@code agent-commands}; the hub replica holding the agent delivers it. */
public sealed interface AgentCommand extends EventData permits AgentCommand.Dispatch, AgentCommand.Cancel,
        AgentCommand.SyncModels, AgentCommand.StartReplica, AgentCommand.StopReplica {

    EventFamily<AgentCommand> FAMILY = EventFamily.of(AgentCommand.class, "io.cyberun.command.");

    String agentId();

    UUID taskId();

    int attempt();

    @Override
    default String subject() {
        return agentId();
    }

    @Override
    default String key() {
        return teamId() + "/" + agentId();
    }

    record Dispatch(UUID teamId, String agentId, UUID taskId, int attempt, TaskSpec spec) implements AgentCommand {
    }

    record Cancel(UUID teamId, String agentId, UUID taskId, int attempt, String reason) implements AgentCommand {
    }

    /** Sync the team's active models now: task {@code taskId} (attempt {@code attempt}) is provisioning on the agent. */
    record SyncModels(UUID teamId, String agentId, UUID taskId, int attempt, List<String> requiredModels) implements AgentCommand {
    }

    /** Run a replica of a container service (no task: {@code taskId} null, {@code attempt} 0). */
    record StartReplica(UUID teamId, String agentId, ReplicaSpec replica) implements AgentCommand {
        @Override
        public UUID taskId() {
            return null;
        }

        @Override
        public int attempt() {
            return 0;
        }
    }

    /** Stop a replica (the agent answers with its states; unknown replicas are reported stopped). */
    record StopReplica(UUID teamId, String agentId, UUID serviceId, String replicaId) implements AgentCommand {
        @Override
        public UUID taskId() {
            return null;
        }

        @Override
        public int attempt() {
            return 0;
        }
    }
}
