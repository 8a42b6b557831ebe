package io.cyberun.task.container;

import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.container.DesiredService;
import io.cyberun.contracts.container.ServiceObservation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.UUID;

/** For the scheduler only (a signed service principal): the services it must act on, and what it observed of them. */
@Path("/internal/v1/containers")
public class InternalContainerResource {
    private final ContainerServices services;
    private final CurrentPrincipal principal;

    public InternalContainerResource(ContainerServices services, CurrentPrincipal principal) {
        this.services = services;
        this.principal = principal;
    }

    public record Recorded(boolean recorded) {
    }

    @GET
    @RolesAllowed(Roles.SERVICE)
    @Path("/desired")
    public Uni<DesiredService.Page> desired() {
        return services.desired();
    }

    /** Records an observation of generation {@code generation} made while the service was to {@code run} (or stop). */
    @PUT
    @RolesAllowed(Roles.SERVICE)
    @Path("/{id}/observation")
    public Uni<Recorded> observed(@PathParam("id") UUID id, @QueryParam("generation") int generation, @QueryParam("run") boolean run,
                                  ServiceObservation observation) {
        return services.observed(id, generation, run, observation).map(Recorded::new);
    }
}
