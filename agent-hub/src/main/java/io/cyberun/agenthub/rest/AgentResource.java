package io.cyberun.agenthub.rest;

import io.cyberun.agenthub.service.AgentDirectory;
import io.cyberun.agenthub.service.AgentView;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.QueryParams;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.PageMeta;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/** The team's connected agents: {@code /api/v1/agents} (management) and {@code /api/v1/r/agents} (runtime). */
@Path("/api/v1")
public class AgentResource {
    private final AgentDirectory directory;
    private final CurrentPrincipal principal;

    public AgentResource(AgentDirectory directory, CurrentPrincipal principal) {
        this.directory = directory;
        this.principal = principal;
    }

    public record AgentList(List<AgentView> agentList, PageMeta pageMeta) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/agents")
    public Uni<AgentList> agents(@QueryParam("current_page") String currentPage, @QueryParam("per_page") String perPage) {
        return list(currentPage, perPage);
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/r/agents")
    public Uni<AgentList> runtimeAgents(@QueryParam("current_page") String currentPage, @QueryParam("per_page") String perPage) {
        return list(currentPage, perPage);
    }

    private Uni<AgentList> list(String currentPage, String perPage) {
        PageRequest page = PageRequest.of(QueryParams.integer("current_page", currentPage), QueryParams.integer("per_page", perPage));
        return directory.list(principal.teamId()).map(all -> {
            int from = Math.min(all.size(), (page.currentPage() - 1) * page.perPage());
            int to = Math.min(all.size(), from + page.perPage());
            return new AgentList(all.subList(from, to), page.meta(all.size()));
        });
    }
}
