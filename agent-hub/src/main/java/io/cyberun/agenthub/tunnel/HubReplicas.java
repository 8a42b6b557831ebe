package io.cyberun.agenthub.tunnel;

import io.cyberun.agenthub.config.HubConfig;
import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.service.AgentDirectory;
import io.cyberun.common.config.CyberunConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where each hub replica can be reached, in Redis, so a replica that gets a tunnel's request for an agent connected
 * elsewhere passes it to the one that holds the agent (the directory names the replica of each agent).
 */
@ApplicationScoped
public class HubReplicas {
    /** Marks a request one replica passed to another: it is never passed on again. */
    public static final String FORWARDED_BY = "X-Cyberun-Hub-Forwarded";
    static final long TTL_SECONDS = 30;

    private final ReactiveValueCommands<String, String> values;
    private final AgentDirectory directory;
    private final AgentConnections connections;
    private final String prefix;
    private final String advertised;

    public HubReplicas(ReactiveRedisDataSource redis, AgentDirectory directory, AgentConnections connections, CyberunConfig config,
                       HubConfig hub, @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host,
                       @ConfigProperty(name = "quarkus.http.port", defaultValue = "8083") int port) {
        this.values = redis.value(String.class);
        this.directory = directory;
        this.connections = connections;
        this.prefix = config.redis().keyPrefix();
        this.advertised = hub.advertisedUrl().orElseGet(() -> "http://" + address(host) + ":" + port);
    }

    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> announce() {
        return values.setex(key(directory.hubId()), TTL_SECONDS, advertised);
    }

    /** Whether the agent's connection is on this replica. */
    public boolean local(UUID team, String agentId) {
        return connections.current(team, agentId).filter(s -> !s.closed()).isPresent();
    }

    /** The replica that holds the agent's connection, when it is another one that can be reached; else null. */
    public Uni<URI> holder(UUID team, String agentId) {
        if (local(team, agentId)) {
            return Uni.createFrom().nullItem();
        }
        return directory.list(team).flatMap(agents -> {
            String hub = agents.stream().filter(a -> a.agentId().equals(agentId)).map(a -> a.gatewayId()).findFirst().orElse(null);
            if (hub == null || hub.equals(directory.hubId())) {
                return Uni.createFrom().nullItem();
            }
            return values.get(key(hub)).map(url -> url == null ? null : URI.create(url));
        });
    }

    public String hubId() {
        return directory.hubId();
    }

    private String key(String hubId) {
        return prefix + "hub-replica:" + hubId;
    }

    private static String address(String host) {
        if (!host.equals("0.0.0.0") && !host.equals("::")) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
