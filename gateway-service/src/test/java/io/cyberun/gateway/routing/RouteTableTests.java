package io.cyberun.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.auth.CredentialKind;
import org.junit.jupiter.api.Test;

/** The gateway's routing decisions without a server: which service owns a path, who may call it, whether it needs a team. */
class RouteTableTests {

    @Test
    void theLongestPrefixWinsSoANestedIdentityPathKeepsItsOwnRules() {
        assertThat(RouteTable.match("/api/v1/teams")).get().satisfies(r -> {
            assertThat(r.service()).isNull();
            assertThat(r.needsTeam()).as("listing and creating teams needs no team").isFalse();
        });
        assertThat(RouteTable.match("/api/v1/teams/current/transfer")).get().satisfies(r -> assertThat(r.needsTeam()).isTrue());
        assertThat(RouteTable.match("/api/v1/invitations/accept")).get().satisfies(r -> assertThat(r.needsTeam()).isFalse());
        assertThat(RouteTable.match("/api/v1/invitations/3f9c")).get().satisfies(r -> assertThat(r.needsTeam()).isTrue());
        assertThat(RouteTable.match("/api/v1/desktop/pair/confirm")).get().extracting(RouteTable.Route::access).isEqualTo(Access.USER_ONLY);
        assertThat(RouteTable.match("/api/v1/desktop/pair/start")).get().extracting(RouteTable.Route::access).isEqualTo(Access.OPEN);
    }

    @Test
    void aPrefixMatchesWholeSegmentsOnly() {
        assertThat(RouteTable.match("/api/v1/r/tasks")).get().extracting(RouteTable.Route::service).isEqualTo(RouteTable.TASK_SERVICE);
        assertThat(RouteTable.match("/api/v1/r/tasks/1/events")).get().extracting(RouteTable.Route::service).isEqualTo(RouteTable.TASK_SERVICE);
        assertThat(RouteTable.match("/api/v1/r/tasksx")).isEmpty();
        assertThat(RouteTable.match("/api/v1/unknown")).isEmpty();
        assertThat(RouteTable.match("/internal/v1/credentials/introspect")).as("internal paths are never routed").isEmpty();
    }

    @Test
    void eachPartOfTheApiGoesToTheServiceThatOwnsIt() {
        assertThat(RouteTable.match("/api/v1/r/files/presign")).as("checked beside the workflow").get().extracting(RouteTable.Route::service)
                .isEqualTo(RouteTable.TASK_SERVICE);
        assertThat(RouteTable.match("/api/v1/r/invoke/echo")).get().extracting(RouteTable.Route::service).isEqualTo(RouteTable.AGENT_HUB);
        assertThat(RouteTable.match("/api/v1/r/containers/echo")).get().extracting(RouteTable.Route::service)
                .isEqualTo(RouteTable.TASK_SERVICE);
        assertThat(RouteTable.match("/api/v1/models/9")).get().extracting(RouteTable.Route::service).isEqualTo(RouteTable.FILE_SERVICE);
        assertThat(RouteTable.match("/api/v1/mcp")).get().satisfies(r -> {
            assertThat(r.service()).isEqualTo(RouteTable.MCP_SERVICE);
            assertThat(r.needsTeam()).as("sk- keys carry their team").isFalse();
        });
        assertThat(RouteTable.ROUTES).allSatisfy(r -> assertThat(r.prefix()).startsWith("/api/v1/"));
    }

    @Test
    void eachAccessLetsInTheDocumentedCredentialsAndAgentKeysNowhere() {
        assertThat(Access.RUNTIME.allows(CredentialKind.INTEGRATION)).isTrue();
        assertThat(Access.RUNTIME.allows(CredentialKind.DEVICE)).isTrue();
        assertThat(Access.MANAGEMENT.allows(CredentialKind.INTEGRATION)).as("sk- keys cannot manage").isFalse();
        assertThat(Access.USER_ONLY.allows(CredentialKind.DEVICE)).as("a device key cannot mint keys").isFalse();
        assertThat(Access.MCP.allows(CredentialKind.USER)).isFalse();
        assertThat(Access.MCP.allows(CredentialKind.INTEGRATION)).isTrue();
        for (Access access : Access.values()) {
            assertThat(access.allows(CredentialKind.AGENT)).as(access + " and agent keys").isFalse();
        }
    }
}
