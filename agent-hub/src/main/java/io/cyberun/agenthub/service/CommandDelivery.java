package io.cyberun.agenthub.service;

import io.cyberun.agenthub.client.FileServiceClient;
import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.files.DownloadLinksRequest;
import io.cyberun.contracts.protocol.HubMessage;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Delivers the scheduler's commands to the agents this replica holds (every replica reads them all and ignores the
 * agents it does not hold): dispatches with their input download URLs, cancels, model syncs, container replicas.
 */
@ApplicationScoped
public class CommandDelivery {
    private static final Logger LOG = Logger.getLogger(CommandDelivery.class);

    private final AgentConnections connections;
    private final AgentDirectory directory;
    private final FileServiceClient files;
    private final AgentPrincipals agents;

    public CommandDelivery(AgentConnections connections, AgentDirectory directory, @RestClient FileServiceClient files,
                           AgentPrincipals agents) {
        this.connections = connections;
        this.directory = directory;
        this.files = files;
        this.agents = agents;
    }

    /** Delivers a command if this replica holds the agent; other replicas ignore it. */
    public Uni<Void> deliver(AgentCommand command) {
        return connections.current(command.teamId(), command.agentId())
                .filter(s -> !s.closed())
                .map(s -> switch (command) {
                    // A dispatch repeated after its attempt ended here (a redelivered command) must not run it again.
                    case AgentCommand.Dispatch d when s.hasFinished(d.taskId(), d.attempt()) -> {
                        LOG.debugf("dispatch of task %s attempt %d dropped: the attempt already ended on agent %s", d.taskId(), d.attempt(),
                                s.agentId());
                        yield Uni.createFrom().<Void>voidItem();
                    }
                    // A dispatch repeated (a scheduler that restarted sends its placements again) while the attempt runs here.
                    case AgentCommand.Dispatch d when s.runs(d.taskId(), d.attempt()) -> {
                        LOG.debugf("dispatch of task %s attempt %d dropped: the attempt already runs on agent %s", d.taskId(), d.attempt(),
                                s.agentId());
                        yield Uni.createFrom().<Void>voidItem();
                    }
                    case AgentCommand.Dispatch d -> inputsOf(s, d)
                            .invoke(() -> s.dispatched().put(d.taskId(), d.attempt()))
                            .call(inputs -> s.connection().sendText(new HubMessage.Dispatch(d.taskId(), d.attempt(), d.spec(), inputs)))
                            .invoke(() -> directory.changed(s))
                            .replaceWithVoid()
                            // Not sent: the dispatch is never acknowledged, so the scheduler requeues it after the ack timeout.
                            .onFailure().invoke(e -> LOG.warnf("dispatch of task %s to agent %s not sent: %s", d.taskId(), s.agentId(),
                                    e.getMessage()))
                            .onFailure().recoverWithNull();
                    case AgentCommand.SyncModels m -> syncModels(s);
                    case AgentCommand.StartReplica r -> s.connection().sendText(new HubMessage.ReplicaStart(r.replica()));
                    case AgentCommand.StopReplica r -> s.connection().sendText(new HubMessage.ReplicaStop(r.serviceId(), r.replicaId()));
                    case AgentCommand.Cancel c -> {
                        boolean held = s.dispatched().remove(c.taskId(), c.attempt()) | s.running().remove(c.taskId(), c.attempt());
                        yield held ? s.connection().sendText(new HubMessage.Cancel(c.taskId(), c.attempt(), c.reason()))
                                .invoke(() -> directory.changed(s)) : Uni.createFrom().<Void>voidItem();
                    }
                })
                .orElse(Uni.createFrom().voidItem());
    }

    /** Download URLs for the files of the task's {@code file} parameters, minted as the agent (so only its team's). */
    private Uni<List<HubMessage.InputFile>> inputsOf(AgentSession s, AgentCommand.Dispatch d) {
        Map<String, String> keys = d.spec() == null ? Map.of() : d.spec().fileInputs();
        if (keys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return files.downloads(agents.tokenFor(s), new DownloadLinksRequest(List.copyOf(new LinkedHashSet<>(keys.values()))))
                .map(links -> {
                    Map<String, String> urls = new HashMap<>();
                    links.links().forEach(l -> urls.put(l.storageKey(), l.url()));
                    return keys.entrySet().stream().map(e -> new HubMessage.InputFile(e.getKey(), e.getValue(),
                            e.getValue().substring(e.getValue().lastIndexOf('/') + 1), urls.get(e.getValue()))).toList();
                });
    }

    /**
     * Sends the team's active models to the agent, which downloads what it lacks and reports what it has. Sent on
     * every connect and when a task provisions on the agent. If file-service cannot be reached the agent keeps what
     * it has; a provisioning task then waits for the next sync or the agent's departure.
     */
    public Uni<Void> syncModels(AgentSession s) {
        return files.modelManifest(agents.tokenFor(s))
                .flatMap(manifest -> s.connection().sendText(new HubMessage.ModelSync(manifest.models())))
                .onFailure().invoke(e -> LOG.warnf("model sync for agent %s/%s not sent: %s", s.teamId(), s.agentId(), e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
