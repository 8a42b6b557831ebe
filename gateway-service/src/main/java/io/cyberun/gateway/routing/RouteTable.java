package io.cyberun.gateway.routing;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which service owns each part of the public API, and who may call it. {@code service == null} means the
 * gateway answers itself (identity endpoints).
 */
public final class RouteTable {
    public static final String TASK_SERVICE = "task-service";
    public static final String FILE_SERVICE = "file-service";
    public static final String AGENT_HUB = "agent-hub";
    public static final String MCP_SERVICE = "mcp-service";
    public static final String ADMIN_PREFIX = "/api/v1/admin";

    public record Route(String prefix, String service, Access access, boolean needsTeam) {
        public boolean matches(String path) {
            return path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
        }
    }

    public static final List<Route> ROUTES = List.of(
            new Route("/api/v1/r/workflows", TASK_SERVICE, Access.RUNTIME, true),
            new Route("/api/v1/r/tasks", TASK_SERVICE, Access.RUNTIME, true),
            // Presigns are checked against the workflow's file parameter in task-service, which asks file-service for the URL.
            new Route("/api/v1/r/files", TASK_SERVICE, Access.RUNTIME, true),
            new Route("/api/v1/r/agents", AGENT_HUB, Access.RUNTIME, true),
            // The list and a service's detail; calls (/r/containers/<slug>/...) go to agent-hub (ApiGateway.CONTAINER_CALL).
            new Route("/api/v1/r/containers", TASK_SERVICE, Access.RUNTIME, true),
            new Route("/api/v1/r/invoke", AGENT_HUB, Access.RUNTIME, true),
            new Route("/api/v1/containers", TASK_SERVICE, Access.MANAGEMENT, true),
            new Route("/api/v1/workflows", TASK_SERVICE, Access.MANAGEMENT, true),
            new Route("/api/v1/webhooks", TASK_SERVICE, Access.USER_ONLY, true),
            new Route("/api/v1/uploads", FILE_SERVICE, Access.MANAGEMENT, true),
            new Route("/api/v1/models", FILE_SERVICE, Access.MANAGEMENT, true),
            new Route("/api/v1/agents", AGENT_HUB, Access.MANAGEMENT, true),
            // sk- keys carry their team: no X-Team-ID, so a user token is refused for its kind (401), not for a missing team.
            new Route("/api/v1/mcp", MCP_SERVICE, Access.MCP, false),
            new Route("/api/v1/me", null, Access.RUNTIME, false),
            // Identity: the gateway answers itself.
            new Route("/api/v1/teams", null, Access.USER_ONLY, false),
            new Route("/api/v1/teams/current", null, Access.USER_ONLY, true),
            new Route("/api/v1/members", null, Access.USER_ONLY, true),
            new Route("/api/v1/invitations", null, Access.USER_ONLY, true),
            new Route("/api/v1/invitations/accept", null, Access.USER_ONLY, false),
            new Route("/api/v1/credentials", null, Access.USER_ONLY, true),
            new Route("/api/v1/desktop/pair", null, Access.OPEN, false),
            new Route("/api/v1/openapi.json", null, Access.OPEN, false),
            new Route("/api/v1/desktop/pair/confirm", null, Access.USER_ONLY, true),
            new Route("/api/v1/auth/device", null, Access.DEVICE_ONLY, true),
            new Route(ADMIN_PREFIX, null, Access.OPEN, false));

    private static final List<Route> LONGEST_FIRST = ROUTES.stream()
            .sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed()).toList();

    private RouteTable() {
    }

    public static Optional<Route> match(String path) {
        return LONGEST_FIRST.stream().filter(r -> r.matches(path)).findFirst();
    }
}
