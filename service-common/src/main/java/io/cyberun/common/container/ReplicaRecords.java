package io.cyberun.common.container;

import io.cyberun.contracts.container.ReplicaState;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Where container replicas are recorded in Redis, shared by the scheduler (which places them and keeps each service's
 * route) and the hub (which records what agents report and routes calls). Every key starts with the deployment's
 * Redis prefix.
 * <ul>
 *   <li>{@code ctr:services}: a set of the ids of services that have replicas recorded (so the scheduler finds those
 *   whose definition is gone);</li>
 *   <li>{@code ctr:assign:<service>}: replica id → {@link Assignment} (the scheduler's placements);</li>
 *   <li>{@code ctr:reports:<service>}: replica id → {@link Report} (the agents' last word, through their hub);</li>
 *   <li>{@code ctr:route:<team>:<slug>}: the {@link Route} calls take: the healthy replicas of the current generation;</li>
 *   <li>{@code ctr:routes}: service id → its route's key (so the route of a service whose definition is gone is found).</li>
 * </ul>
 */
public final class ReplicaRecords {
    private final String prefix;

    public ReplicaRecords(String prefix) {
        this.prefix = prefix;
    }

    /** A record as stored (JSON, the project's naming). */
    public static String json(Object record) {
        try {
            return io.cyberun.contracts.json.CyberunJson.mapper().writeValueAsString(record);
        } catch (Exception e) {
            throw new IllegalStateException("a replica record could not be written", e);
        }
    }

    /** A stored record, or null when it is absent or unreadable (a record of an older shape is passed over). */
    public static <T> T parse(String raw, Class<T> type) {
        if (raw == null) {
            return null;
        }
        try {
            return io.cyberun.contracts.json.CyberunJson.mapper().readValue(raw, type);
        } catch (Exception e) {
            return null;
        }
    }

    public String services() {
        return prefix + "ctr:services";
    }

    public String assignments(UUID service) {
        return prefix + "ctr:assign:" + service;
    }

    public String reports(UUID service) {
        return prefix + "ctr:reports:" + service;
    }

    public String route(UUID team, String slug) {
        return prefix + "ctr:route:" + team + ":" + slug;
    }

    public String routes() {
        return prefix + "ctr:routes";
    }

    public String failures(UUID service, int generation) {
        return prefix + "ctr:failures:" + service + ":" + generation;
    }

    /** When the scheduler found Redis without container records (epoch millis): placing waits a while after. */
    public String marker() {
        return prefix + "ctr:marker";
    }

    public String leader() {
        return prefix + "ctr:leader";
    }

    /** A replica placed on an agent, at {@code at} (epoch millis). */
    public record Assignment(UUID teamId, String agentId, int generation, long at) {
    }

    /** An agent's last report of a replica, recorded by the hub holding the agent at {@code reportedAt} (epoch millis). */
    public record Report(UUID teamId, String agentId, String hubId, ReplicaState state, String reason, int generation, Instant since,
                         long reportedAt) {
    }

    /** Where calls to a service go: its healthy replicas and the agents running them. */
    public record Route(UUID serviceId, List<Target> replicas) {
        public Route {
            replicas = replicas == null ? List.of() : List.copyOf(replicas);
        }
    }

    public record Target(String replicaId, String agentId) {
    }
}
