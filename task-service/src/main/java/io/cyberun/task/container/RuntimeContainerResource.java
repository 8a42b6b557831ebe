package io.cyberun.task.container;

import io.cyberun.common.http.PublicOrigin;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.PageMeta;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import java.util.List;

/**
 * The runtime view of container services (any role; user tokens, sk- and dk- keys): list and detail by slug. Calls
 * to a service ({@code /api/v1/r/containers/{slug}/...}, {@code /api/v1/r/invoke/{slug}}) go to the agent hub.
 */
@Path("/api/v1/r/containers")
public class RuntimeContainerResource {
    private final ContainerServices services;
    private final CurrentPrincipal principal;

    public RuntimeContainerResource(ContainerServices services, CurrentPrincipal principal) {
        this.services = services;
        this.principal = principal;
    }

    public record ServiceList(List<ContainerServiceView.Runtime> serviceList, PageMeta pageMeta) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<ServiceList> list(@Valid @BeanParam Paging paging,
                                 @Context HttpServerRequest request) {
        PageRequest page = paging.request();
        String origin = PublicOrigin.of(request);
        return services.list(principal.teamId(), page.currentPage(), page.perPage()).map(p -> new ServiceList(
                p.items().stream().map(s -> ContainerServiceView.Runtime.of(s, services, origin)).toList(), page.meta(p.total())));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{slug}")
    public Uni<ContainerServiceView.Runtime> get(@PathParam("slug") String slug, @Context HttpServerRequest request) {
        return services.bySlug(principal.teamId(), slug).map(s -> ContainerServiceView.Runtime.of(s, services, PublicOrigin.of(request)));
    }
}
