package io.cyberun.task.rest;

import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.task.OpenTasks;
import io.cyberun.task.repository.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.UUID;

/** For internal services only (a signed service principal): what the scheduler rebuilds its book from. */
@Path("/internal/v1/tasks")
public class InternalTaskResource {
    static final int MAX_PAGE = 1000;
    static final String LIMIT = "must be between 1 and " + MAX_PAGE;

    private final Pool pool;
    private final TaskStore store;
    private final CurrentPrincipal principal;

    public InternalTaskResource(Pool pool, TaskStore store, CurrentPrincipal principal) {
        this.pool = pool;
        this.store = store;
        this.principal = principal;
    }

    /** Tasks that have not ended, in id order, after {@code after}, at most {@code limit} (1-1000, default 500). */
    @GET
    @RolesAllowed(Roles.SERVICE)
    @Path("/open")
    public Uni<OpenTasks> open(@QueryParam("after") UUID after,
                               @QueryParam("limit") @Min(value = 1, message = LIMIT) @Max(value = MAX_PAGE, message = LIMIT) Integer limit) {
        int n = limit == null ? 500 : limit;
        return pool.withConnection(conn -> store.open(conn, after, n)).map(tasks -> new OpenTasks(tasks,
                tasks.size() < n ? null : tasks.get(tasks.size() - 1).taskId()));
    }
}
