package io.cyberun.gateway.service;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.gateway.client.TaskServiceClient;
import io.cyberun.gateway.repository.TeamRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Cancels a deleted team's open tasks in task-service. Team deletion asks at once; a gateway restart or a
 * task-service outage in between is covered by the sweep, which asks again until task-service confirms (asking
 * twice is harmless: terminal tasks are skipped).
 */
@ApplicationScoped
public class TeamCleanup {
    private static final Logger LOG = Logger.getLogger(TeamCleanup.class);

    private final TaskServiceClient taskService;
    private final TeamRepository teams;
    private final PrincipalTokens tokens;
    private final Clock clock;

    public TeamCleanup(@RestClient TaskServiceClient taskService, TeamRepository teams, PrincipalTokens tokens, Clock clock) {
        this.taskService = taskService;
        this.teams = teams;
        this.tokens = tokens;
        this.clock = clock;
    }

    public Uni<Void> cancelOpenTasks(UUID teamId) {
        return taskService.cancelOpenTasks(tokens.sign(Principal.service("gateway-service")), teamId)
                .invoke(c -> LOG.infof("team %s deleted: %d open task(s) cancelled", teamId, c.cancelled()))
                .call(() -> Panache.withTransaction(() -> teams.findById(teamId).invoke(t -> t.openTasksCancelledAt = clock.instant())))
                .onFailure().invoke(e -> LOG.warnf("team %s deleted, but its open tasks are not cancelled yet (%s); retrying later",
                        teamId, e.getMessage()))
                .replaceWithVoid();
    }

    @Scheduled(every = "${cyberun.gateway.team-cleanup-interval:30s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return Panache.withSession(teams::awaitingTaskCancellation)
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(t -> cancelOpenTasks(t.id).onFailure().recoverWithNull())
                .collect().asList().replaceWithVoid()
                // The database may be away (or closing at shutdown): the next sweep asks again.
                .onFailure().recoverWithUni(e -> {
                    LOG.debugf("team cleanup sweep skipped: %s", e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }
}
