package io.cyberun.task.container;

import io.cyberun.common.http.PublicOrigin;
import io.cyberun.common.rest.PageRequest;
import io.cyberun.common.rest.Paging;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.api.PageMeta;
import io.cyberun.contracts.container.ReplicaInfo;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.groups.ConvertGroup;
import jakarta.validation.groups.Default;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;

/**
 * Managing container services (admins; user tokens and dk- keys): create, list, detail, update, delete, deploy, stop,
 * and the replicas with their states. Reached through the gateway at {@code /api/v1/containers}.
 */
@Path("/api/v1/containers")
public class ContainerServiceResource {
    private final ContainerServices services;
    private final CurrentPrincipal principal;

    public ContainerServiceResource(ContainerServices services, CurrentPrincipal principal) {
        this.services = services;
        this.principal = principal;
    }

    public record ServiceList(List<ContainerServiceView> serviceList, PageMeta pageMeta) {
    }

    public record ReplicaList(String serviceStatus, String statusReason, List<ReplicaInfo> replicaList) {
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "201", description = "Created (service_status created)", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = ContainerServiceView.class)))
    public Uni<Response> create(@NotNull(message = "send the service definition as a JSON object") @Valid
                                @ConvertGroup(from = Default.class, to = ContainerServiceBody.OnCreate.class) ContainerServiceBody body,
                                @Context HttpServerRequest request) {
        return services.create(principal.teamId(), body)
                .map(s -> Response.status(201).entity(ContainerServiceView.of(s, services, PublicOrigin.of(request))).build());
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    public Uni<ServiceList> list(@Valid @BeanParam Paging paging,
                                 @Context HttpServerRequest request) {
        PageRequest page = paging.request();
        String origin = PublicOrigin.of(request);
        return services.list(principal.teamId(), page.currentPage(), page.perPage())
                .map(p -> new ServiceList(p.items().stream().map(s -> ContainerServiceView.of(s, services, origin)).toList(), page.meta(p.total())));
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    public Uni<ContainerServiceView> get(@PathParam("id") UUID id, @Context HttpServerRequest request) {
        return services.get(principal.teamId(), id).map(s -> ContainerServiceView.of(s, services, PublicOrigin.of(request)));
    }

    /** Changes the fields given (service_slug and service_type are fixed); running replicas take the change on the next deploy. */
    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    public Uni<ContainerServiceView> update(@PathParam("id") UUID id,
                                            @NotNull(message = "send the fields to change as a JSON object") @Valid ContainerServiceBody body,
                                            @Context HttpServerRequest request) {
        return services.update(principal.teamId(), id, body).map(s -> ContainerServiceView.of(s, services, PublicOrigin.of(request)));
    }

    /** Deletes the service; its replicas are stopped. */
    @DELETE
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return services.delete(principal.teamId(), id).replaceWith(Response.noContent().build());
    }

    /** Deploys the service (again: a new generation replaces the replicas); 202, it becomes running once a replica is healthy. */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}/deploy")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "202", description = "Accepted: deploying", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = ContainerServiceView.class)))
    public Uni<Response> deploy(@PathParam("id") UUID id, @Context HttpServerRequest request) {
        return services.deploy(principal.teamId(), id)
                .map(s -> Response.accepted(ContainerServiceView.of(s, services, PublicOrigin.of(request))).build());
    }

    /** Stops every replica; 202, it is stopped once they are gone. */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}/stop")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "202", description = "Accepted: stopping", content = @org.eclipse.microprofile.openapi.annotations.media.Content(mediaType = "application/json", schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = ContainerServiceView.class)))
    public Uni<Response> stop(@PathParam("id") UUID id, @Context HttpServerRequest request) {
        return services.stop(principal.teamId(), id)
                .map(s -> Response.accepted(ContainerServiceView.of(s, services, PublicOrigin.of(request))).build());
    }

    /** Each replica: the agent it runs on, its state and since when, and why it failed when it did. */
    @GET
    @RolesAllowed(Roles.ADMIN)
    @Path("/{id}/replicas")
    public Uni<ReplicaList> replicas(@PathParam("id") UUID id) {
        return services.get(principal.teamId(), id).map(s -> new ReplicaList(s.serviceStatus, s.statusReason, services.replicas(s)));
    }
}
