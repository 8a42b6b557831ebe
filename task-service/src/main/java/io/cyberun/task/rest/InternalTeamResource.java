package io.cyberun.task.rest;

import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.task.repository.TaskRepository;
import io.cyberun.task.service.TaskService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;
import java.util.UUID;

/** For the gateway only (a signed service principal): team lifecycle work that spans the team's tasks. */
@Path("/internal/v1/teams")
public class InternalTeamResource {
    static final int BATCH = 200;

    private final TaskRepository tasks;
    private final TaskService service;
    private final CurrentPrincipal principal;

    public InternalTeamResource(TaskRepository tasks, TaskService service, CurrentPrincipal principal) {
        this.tasks = tasks;
        this.service = service;
        this.principal = principal;
    }

    public record Cancelled(int cancelled) {
    }

    /**
     * Cancels every task of a deleted team that is not terminal yet, each through the task state machine (so
     * agents are told to stop and subscribers see the cancelled event). Safe to repeat: a terminal task is skipped.
     */
    @POST
    @RolesAllowed(Roles.SERVICE)
    @Path("/{teamId}/cancel-open-tasks")
    public Uni<Cancelled> cancelOpenTasks(@PathParam("teamId") UUID teamId) {
        return cancelBatch(teamId, 0);
    }

    private Uni<Cancelled> cancelBatch(UUID teamId, int doneSoFar) {
        return Panache.withSession(() -> tasks.openIds(teamId, BATCH)).flatMap(ids -> {
            if (ids.isEmpty()) {
                return Uni.createFrom().item(new Cancelled(doneSoFar));
            }
            return cancelEach(teamId, ids).flatMap(n -> ids.size() < BATCH
                    ? Uni.createFrom().item(new Cancelled(doneSoFar + n))
                    : cancelBatch(teamId, doneSoFar + n));
        });
    }

    private Uni<Integer> cancelEach(UUID teamId, List<UUID> ids) {
        return Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> service.cancel(teamId, id, "the team was deleted"))
                .collect().asList().map(List::size);
    }
}
