package io.cyberun.agenthub.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.agenthub.service.AgentDirectory;
import io.cyberun.agenthub.tunnel.TunnelSessions;
import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.protocol.TunnelProtocol;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

/**
 * An agent's interactive tunnel (API notes §5.7): {@code POST /api/v1/agents/{agentId}/tunnel} opens a session,
 * {@code GET} tells whether one is open, {@code DELETE [?session_id=]} closes one or all. Admins only: a tunnel
 * reaches into a team's machine.
 */
@Path("/api/v1/agents/{agentId}/tunnel")
public class TunnelResource {
    static final int DEFAULT_PORT = 8188;

    private final TunnelSessions sessions;
    private final AgentDirectory directory;
    private final CurrentPrincipal principal;

    public TunnelResource(TunnelSessions sessions, AgentDirectory directory, CurrentPrincipal principal) {
        this.sessions = sessions;
        this.directory = directory;
        this.principal = principal;
    }

    /** The request's fields, for the API description (the body is read field by field, to name every bad one). */
    public record TunnelRequest(Integer targetPort, String tunnelProtocol) {
    }

    public record Opened(String sessionId, String tunnelUrl, String adminToken, String tunnelProtocol) {
    }

    public record Status(boolean isActive, String sessionId, String tunnelUrl) {
    }

    public record Closed(int closedSessions) {
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @RequestBody(description = "target_port (1-65535, default 8188), tunnel_protocol (http, the default, or tcp)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = TunnelRequest.class)))
    public Uni<Opened> open(@PathParam("agentId") String agentId, JsonNode body, @Context HttpServerRequest request) {
        List<FieldError> bad = new ArrayList<>();
        int port = DEFAULT_PORT;
        TunnelProtocol.Kind kind = TunnelProtocol.Kind.HTTP;
        if (body != null && !body.isNull() && !body.isObject()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "the body must be a JSON object");
        }
        JsonNode p = body == null ? null : body.get("target_port");
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || p.asLong() < 1 || p.asLong() > 65535) {
                bad.add(new FieldError("target_port", "must be a port number from 1 to 65535"));
            } else {
                port = p.asInt();
            }
        }
        JsonNode k = body == null ? null : body.get("tunnel_protocol");
        if (k != null && !k.isNull()) {
            kind = k.isTextual() ? TunnelProtocol.Kind.fromWire(k.asText()) : null;
            if (kind == null) {
                bad.add(new FieldError("tunnel_protocol", "must be http or tcp"));
            }
        }
        if (!bad.isEmpty()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "the tunnel request has invalid fields", bad);
        }
        String base = io.cyberun.common.http.PublicOrigin.of(request);
        return sessions.open(principal.teamId(), agentId, port, kind)
                .map(s -> new Opened(s.id(), base + s.path(), s.adminToken(), s.protocol().wireName()));
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    public Uni<Status> status(@PathParam("agentId") String agentId, @Context HttpServerRequest request) {
        String base = io.cyberun.common.http.PublicOrigin.of(request);
        // An agent that is not connected in the caller's team (another team's, or none) reads as absent.
        return directory.list(principal.teamId()).flatMap(agents -> {
            if (agents.stream().noneMatch(a -> a.agentId().equals(agentId))) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND, "no connected agent " + agentId + " in this team"));
            }
            return sessions.list(principal.teamId(), agentId).map(open -> open.isEmpty() ? new Status(false, null, null)
                    : new Status(true, open.getFirst().id(), base + open.getFirst().path()));
        });
    }

    @DELETE
    @RolesAllowed(Roles.ADMIN)
    public Uni<Closed> close(@PathParam("agentId") String agentId, @QueryParam("session_id") String sessionId) {
        return sessions.close(principal.teamId(), agentId, sessionId == null || sessionId.isBlank() ? null : sessionId).map(Closed::new);
    }
}
