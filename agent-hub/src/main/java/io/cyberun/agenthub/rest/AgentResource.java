package io.cyberun.agenthub.rest;

import io.cyberun.agenthub.service.AgentDirectory;
import io.cyberun.agenthub.service.AgentView;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.PageMeta;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
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
    public Uni<AgentList> agents(@Valid @BeanParam Paging paging) {
        return list(paging.request());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/r/agents")
    public Uni<AgentList> runtimeAgents(@Valid @BeanParam Paging paging) {
        return list(paging.request());
    }

    private Uni<AgentList> list(PageRequest page) {
        return directory.list(principal.teamId()).map(all -> {
            int from = Math.min(all.size(), (page.currentPage() - 1) * page.perPage());
            int to = Math.min(all.size(), from + page.perPage());
            return new AgentList(all.subList(from, to), page.meta(all.size()));
        });
    }
}
