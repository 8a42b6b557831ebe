package io.cyberun.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.IdResponse;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.gateway.client.TaskServiceClient;
import io.cyberun.gateway.model.AppUser;
import io.cyberun.gateway.model.Membership;
import io.cyberun.gateway.model.Team;
import io.cyberun.gateway.repository.MembershipRepository;
import io.cyberun.gateway.repository.TeamRepository;
import io.cyberun.gateway.repository.UserRepository;
import io.cyberun.gateway.validation.DisplayText;
import io.cyberun.gateway.validation.EmailAddress;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Sets up a team for a new deployment: the team (reused when the owner already has one of that name), its owner
 * (who signs in later with that email), a fresh sk- and ak- key, and any workflows given.
 */
@ApplicationScoped
public class BootstrapService {

    private final UserRepository users;
    private final TeamRepository teams;
    private final MembershipRepository memberships;
    private final CredentialService credentials;
    private final TaskServiceClient taskService;
    private final PrincipalTokens tokens;
    private final Clock clock;

    public BootstrapService(UserRepository users, TeamRepository teams, MembershipRepository memberships, CredentialService credentials,
                            @RestClient TaskServiceClient taskService, PrincipalTokens tokens, Clock clock) {
        this.users = users;
        this.teams = teams;
        this.memberships = memberships;
        this.credentials = credentials;
        this.taskService = taskService;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** The first team's name, its owner, and workflows to import; an empty body is a request with nothing in it. */
    public record Request(@NotNull(message = "must be 1-" + DisplayText.MAX + " characters") @DisplayText String teamName,
                          @NotNull(message = "must be an email address") @EmailAddress String ownerEmail, List<JsonNode> workflows) {
        public static final Request EMPTY = new Request(null, null, null);
    }

    public record Result(UUID teamId, UUID ownerUserId, String ownerEmail, String integrationKey, String agentKey, List<UUID> workflowIds) {
    }

    /** Checked by the request's constraints when called (after the resource has checked the admin token). */
    public Uni<Result> bootstrap(@Valid Request request) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> owner(request.ownerEmail().strip(), now)
                        .flatMap(owner -> team(owner, request.teamName().strip(), now)
                                .flatMap(team -> credentials.issue(team.id, CredentialKind.INTEGRATION, "bootstrap integration key", Role.ADMIN,
                                                null, owner.id, null)
                                        .flatMap(sk -> credentials.issue(team.id, CredentialKind.AGENT, "bootstrap agent key", null,
                                                        null, owner.id, null)
                                                .map(ak -> new Result(team.id, owner.id, owner.email, sk.secret(), ak.secret(), List.of()))))))
                .flatMap(result -> importWorkflows(result, request.workflows() == null ? List.of() : request.workflows()));
    }

    private Uni<AppUser> owner(String email, Instant now) {
        return users.findByEmail(email).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            AppUser user = new AppUser();
            user.id = UUID.randomUUID();
            user.email = email;
            user.createdAt = now;
            return users.persist(user);
        });
    }

    private Uni<Team> team(AppUser owner, String name, Instant now) {
        return teams.findOwnedByName(owner.id, name).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            Team team = new Team();
            team.id = UUID.randomUUID();
            team.displayName = name;
            team.createdAt = now;
            team.updatedAt = now;
            Membership m = new Membership();
            m.id = new Membership.Key(team.id, owner.id);
            m.role = Role.OWNER.wireName();
            m.createdAt = now;
            return teams.persist(team).call(teams::flush).call(() -> memberships.persist(m)).replaceWith(team);
        });
    }

    private Uni<Result> importWorkflows(Result result, List<JsonNode> workflows) {
        String ownerToken = tokens.sign(new Principal(result.ownerUserId().toString(), result.teamId(), Role.OWNER, CredentialKind.USER, null));
        return Multi.createFrom().iterable(workflows)
                .onItem().transformToUniAndConcatenate(w -> taskService.importWorkflow(ownerToken, w).map(IdResponse::id))
                .collect().asList()
                .map(ids -> new Result(result.teamId(), result.ownerUserId(), result.ownerEmail(), result.integrationKey(),
                        result.agentKey(), ids));
    }
}
