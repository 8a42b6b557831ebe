package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who may call what, through the real gateway to the real services: every public endpoint × every caller (a
 * user token, an sk- and a dk- key of each role, an ak- key, a revoked and an expired key, a malformed and no
 * credential) gets the status this one table implies. A row names the part of the API (which credential kinds
 * it takes), the lowest role allowed and the status an allowed caller gets with the row's request; the expected
 * status of every cell follows from that: 401 for a dead, missing or wrong kind of credential, 403 for a role
 * too low, else the row's status.
 *
 * <p>The last rows change the team (a device signs itself out, members leave, the owner deletes the team), so
 * the table runs in order, and in each row the keys before the users, the weakest user first.
 */
@ExtendWith(SharedStack.class)
class AuthorizationMatrixIT {
    enum Part { RUNTIME, MANAGEMENT, USER_ONLY, DEVICE_ONLY, MCP, ANONYMOUS, ADMIN_TOKEN }

    enum Kind { USER, SK, DK, AK, REVOKED, EXPIRED, MALFORMED, NONE }

    enum Role { OWNER, ADMIN, MEMBER, VIEWER;

        boolean atLeast(Role other) {
            return ordinal() <= other.ordinal();
        }
    }

    record Row(String method, String path, Part part, Role minimum, int allowed, String body, Integer ownerStatus) {
        Row(String method, String path, Part part, Role minimum, int allowed, String body) {
            this(method, path, part, minimum, allowed, body, null);
        }
    }

    record Caller(String name, Kind kind, Role role, String bearer, String user) {
    }

    static CyberunStack stack;
    static TeamFixture team;
    static final Map<String, String> ids = new LinkedHashMap<>();

    static final String MCP_INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"matrix\",\"version\":\"1\"}}}";

    /** The table. {wf}, {task}, {done} (a cancelled task) and {random} are filled in at run time. */
    static final List<Row> ROWS = List.of(
            new Row("GET", "/api/v1/me", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/r/workflows", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/r/workflows/{wf}", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/r/workflows/slug/matrix", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("POST", "/api/v1/r/workflows/{wf}/run", Part.RUNTIME, Role.MEMBER, 202, "{\"parameters\":{}}"),
            new Row("POST", "/api/v1/r/workflows/slug/matrix/run", Part.RUNTIME, Role.MEMBER, 202, "{\"parameters\":{}}"),
            new Row("GET", "/api/v1/r/tasks", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/r/tasks/{task}", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/r/tasks/{done}/result", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/r/tasks/{task}/events?after=0", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/r/tasks/{done}/events", Part.RUNTIME, Role.VIEWER, 200, null),
            // The matrix's tasks make no previews: a caller let through reads that there is none.
            new Row("GET", "/api/v1/r/tasks/{task}/preview", Part.RUNTIME, Role.VIEWER, 404, null),
            new Row("POST", "/api/v1/r/tasks/{done}/cancel", Part.RUNTIME, Role.MEMBER, 200, null),
            new Row("POST", "/api/v1/r/tasks/{done}/rerun", Part.RUNTIME, Role.MEMBER, 202, null),
            new Row("POST", "/api/v1/r/files/presign", Part.RUNTIME, Role.MEMBER, 200,
                    "{\"file_name\":\"in.png\",\"file_size\":10,\"content_type\":\"image/png\"}"),
            new Row("GET", "/api/v1/r/agents", Part.RUNTIME, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/workflows", Part.MANAGEMENT, Role.VIEWER, 200, null),
            new Row("POST", "/api/v1/workflows/import", Part.MANAGEMENT, Role.ADMIN, 200, "{workflow}"),
            new Row("GET", "/api/v1/workflows/{wf}", Part.MANAGEMENT, Role.VIEWER, 200, null),
            new Row("PUT", "/api/v1/workflows/{wf}", Part.MANAGEMENT, Role.ADMIN, 200, "{\"description\":\"edited by the matrix\"}"),
            new Row("DELETE", "/api/v1/workflows/{random}", Part.MANAGEMENT, Role.ADMIN, 404, null),
            new Row("GET", "/api/v1/workflows/{wf}/snapshots", Part.MANAGEMENT, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/workflows/{wf}/snapshots/{random}", Part.MANAGEMENT, Role.VIEWER, 404, null),
            new Row("POST", "/api/v1/workflows/{wf}/snapshots/{random}/restore", Part.MANAGEMENT, Role.ADMIN, 404, null),
            new Row("POST", "/api/v1/uploads/multipart/initiate", Part.MANAGEMENT, Role.MEMBER, 200,
                    "{\"file_name\":\"big.bin\",\"file_size\":10485760,\"content_type\":\"application/octet-stream\",\"kind\":\"input\"}"),
            new Row("POST", "/api/v1/uploads/multipart/{random}/parts", Part.MANAGEMENT, Role.MEMBER, 404, "{}"),
            new Row("POST", "/api/v1/uploads/multipart/{random}/complete", Part.MANAGEMENT, Role.MEMBER, 404, "{\"parts\":[]}"),
            new Row("DELETE", "/api/v1/uploads/multipart/{random}", Part.MANAGEMENT, Role.MEMBER, 404, null),
            new Row("POST", "/api/v1/models/presign", Part.MANAGEMENT, Role.ADMIN, 400, "{}"),
            new Row("POST", "/api/v1/models", Part.MANAGEMENT, Role.ADMIN, 400, "{}"),
            new Row("GET", "/api/v1/models", Part.MANAGEMENT, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/models/{random}", Part.MANAGEMENT, Role.VIEWER, 404, null),
            new Row("PUT", "/api/v1/models/{random}", Part.MANAGEMENT, Role.ADMIN, 404, "{\"display_name\":\"x\"}"),
            new Row("DELETE", "/api/v1/models/{random}", Part.MANAGEMENT, Role.ADMIN, 404, null),
            new Row("GET", "/api/v1/agents", Part.MANAGEMENT, Role.VIEWER, 200, null),
            new Row("GET", "/api/v1/teams", Part.USER_ONLY, Role.VIEWER, 200, null),
            new Row("POST", "/api/v1/teams", Part.USER_ONLY, Role.VIEWER, 400, "{}"),
            new Row("GET", "/api/v1/teams/current", Part.USER_ONLY, Role.VIEWER, 200, null),
            new Row("PUT", "/api/v1/teams/current", Part.USER_ONLY, Role.ADMIN, 200, "{\"display_name\":\"Matrix team\"}"),
            new Row("POST", "/api/v1/teams/current/transfer", Part.USER_ONLY, Role.OWNER, 404, "{\"new_owner_id\":\"{random}\"}"),
            new Row("GET", "/api/v1/members", Part.USER_ONLY, Role.VIEWER, 200, null),
            new Row("PUT", "/api/v1/members/{random}", Part.USER_ONLY, Role.ADMIN, 404, "{\"member_role\":\"viewer\"}"),
            new Row("DELETE", "/api/v1/members/{random}", Part.USER_ONLY, Role.ADMIN, 404, null),
            new Row("GET", "/api/v1/invitations", Part.USER_ONLY, Role.ADMIN, 200, null),
            new Row("POST", "/api/v1/invitations", Part.USER_ONLY, Role.ADMIN, 400, "{}"),
            new Row("DELETE", "/api/v1/invitations/{random}", Part.USER_ONLY, Role.ADMIN, 404, null),
            new Row("POST", "/api/v1/invitations/accept", Part.USER_ONLY, Role.VIEWER, 404, "{\"invitation_token\":\"inv-unknown\"}"),
            new Row("GET", "/api/v1/credentials", Part.USER_ONLY, Role.VIEWER, 200, null),
            new Row("POST", "/api/v1/credentials", Part.USER_ONLY, Role.ADMIN, 400, "{}"),
            new Row("DELETE", "/api/v1/credentials/{random}", Part.USER_ONLY, Role.ADMIN, 404, null),
            new Row("POST", "/api/v1/desktop/pair/confirm", Part.USER_ONLY, Role.VIEWER, 404, "{\"user_code\":\"ZZZZ-ZZZZ\"}"),
            new Row("POST", "/api/v1/desktop/pair/start", Part.ANONYMOUS, null, 200, null),
            new Row("POST", "/api/v1/desktop/pair/poll", Part.ANONYMOUS, null, 404, "{\"device_code\":\"unknown\"}"),
            new Row("POST", "/api/v1/admin/bootstrap", Part.ADMIN_TOKEN, null, 401, "{}"),
            new Row("POST", "/api/v1/mcp", Part.MCP, Role.VIEWER, 200, MCP_INIT),
            // From here on the rows change the team.
            new Row("POST", "/api/v1/auth/device/revoke", Part.DEVICE_ONLY, Role.VIEWER, 200, null),
            new Row("POST", "/api/v1/members/leave", Part.USER_ONLY, Role.VIEWER, 200, null, 409),
            new Row("DELETE", "/api/v1/teams/current", Part.USER_ONLY, Role.OWNER, 200, null));

    static List<Caller> callers = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        stack = CyberunStack.shared();
        team = new TeamFixture(stack, "Matrix " + UUID.randomUUID(), workflow());
        team.join("carol", "admin").join("dave", "member").join("erin", "viewer");
        JsonNode toRevoke = team.integrationKey("member", null);
        JsonNode expiring = team.integrationKey("member", 1);
        assertThat(stack.ns.execute("gateway", "update credential set expires_at = now() - interval '1 second' where id = ?",
                UUID.fromString(expiring.path("id").asText()))).isEqualTo(1);
        // Keys before users; the weakest caller first, so the team-changing rows run as described above.
        callers.add(new Caller("none", Kind.NONE, null, null, null));
        callers.add(new Caller("malformed", Kind.MALFORMED, null, "not a credential", null));
        callers.add(new Caller("ak", Kind.AK, null, team.ak(), null));
        callers.add(new Caller("expired sk", Kind.EXPIRED, null, expiring.path("raw_key").asText(), null));
        callers.add(new Caller("sk viewer", Kind.SK, Role.VIEWER, team.integrationKey("viewer", null).path("raw_key").asText(), null));
        callers.add(new Caller("sk member", Kind.SK, Role.MEMBER, team.integrationKey("member", null).path("raw_key").asText(), null));
        callers.add(new Caller("sk admin", Kind.SK, Role.ADMIN, team.sk(), null));
        for (int i = TeamFixture.USERS.length - 1; i >= 0; i--) {
            String user = TeamFixture.USERS[i];
            callers.add(new Caller("dk " + TeamFixture.ROLES[i], Kind.DK, Role.valueOf(TeamFixture.ROLES[i].toUpperCase()),
                    team.pairDevice(user, "matrix " + user).path("raw_key").asText(), user));
        }
        for (int i = TeamFixture.USERS.length - 1; i >= 0; i--) {
            callers.add(new Caller("user " + TeamFixture.ROLES[i], Kind.USER, Role.valueOf(TeamFixture.ROLES[i].toUpperCase()),
                    team.token(TeamFixture.USERS[i]), TeamFixture.USERS[i]));
        }
        TeamFixture.ok(team.asUser("alice", "DELETE", "/api/v1/credentials/" + toRevoke.path("id").asText(), null), 204);
        callers.add(3, new Caller("revoked sk", Kind.REVOKED, null, toRevoke.path("raw_key").asText(), null));
        // The resources the rows name.
        ids.put("{wf}", WalkingSkeletonIT.json(TeamFixture.call("GET", "/api/v1/r/workflows/slug/matrix", team.sk(), null, Map.of()).body())
                .path("id").asText());
        ids.put("{task}", run());
        String done = run();
        TeamFixture.ok(TeamFixture.call("POST", "/api/v1/r/tasks/" + done + "/cancel", team.sk(), null, Map.of()), 200);
        ids.put("{done}", done);
        ids.put("{workflow}", workflow());
    }

    static String workflow() {
        return "{\"workflow_slug\":\"matrix\",\"display_name\":\"Matrix\",\"tool_type\":\"exec\",\"workflow_json\":{\"command\":\"work\"},"
                + "\"parameters\":[{\"key\":\"note\",\"type\":\"string\",\"default\":\"-\"}],\"required_labels\":[\"matrix-nowhere\"]}";
    }

    static String run() throws Exception {
        return TeamFixture.ok(TeamFixture.call("POST", "/api/v1/r/workflows/slug/matrix/run", team.sk(), "{\"parameters\":{}}", Map.of()), 202)
                .path("task_id").asText();
    }

    static int expected(Row row, Caller caller) {
        switch (row.part()) {
            case ANONYMOUS:
                return row.allowed();
            case ADMIN_TOKEN:
                return 401;
            default:
                break;
        }
        boolean kindAccepted = switch (caller.kind()) {
            case USER -> row.part() == Part.RUNTIME || row.part() == Part.MANAGEMENT || row.part() == Part.USER_ONLY;
            case SK -> row.part() == Part.RUNTIME || row.part() == Part.MCP;
            case DK -> row.part() == Part.RUNTIME || row.part() == Part.MANAGEMENT || row.part() == Part.DEVICE_ONLY;
            default -> false;
        };
        if (!kindAccepted) {
            return 401;
        }
        if (!caller.role().atLeast(row.minimum())) {
            return 403;
        }
        return caller.role() == Role.OWNER && row.ownerStatus() != null ? row.ownerStatus() : row.allowed();
    }

    @Test
    void everyEndpointAnswersEveryCallerAsTheTableSays() throws Exception {
        List<String> mismatches = new ArrayList<>();
        int cells = 0;
        for (Row row : ROWS) {
            for (Caller caller : callers) {
                String path = fill(row.path());
                String body = row.body() == null ? null : fill(row.body());
                Map<String, String> headers = new LinkedHashMap<>();
                if (caller.kind() == Kind.USER) {
                    headers.put("X-Team-ID", team.teamId);
                }
                if (row.part() == Part.MCP) {
                    headers.put("Accept", "application/json, text/event-stream");
                } else if (path.endsWith("/events")) {
                    headers.put("Accept", "text/event-stream");
                }
                HttpResponse<String> r = TeamFixture.call(row.method(), path, caller.bearer(), body, headers);
                int want = expected(row, caller);
                cells++;
                if (r.statusCode() != want) {
                    mismatches.add(row.method() + " " + row.path() + " as " + caller.name() + ": want " + want + ", got " + r.statusCode()
                            + " " + abbreviate(r.body()));
                } else if (want == 401 || want == 403) {
                    if (!r.body().contains("\"error_message\"")) {
                        mismatches.add(row.method() + " " + row.path() + " as " + caller.name() + ": " + want + " without error_message");
                    }
                }
            }
        }
        System.out.printf("[matrix] %d endpoints x %d callers = %d cells%n", ROWS.size(), callers.size(), cells);
        assertThat(mismatches).as("cells that differ from the table").isEmpty();
        // The team is gone: its keys are dead and it is no one's team any more.
        assertThat(TeamFixture.call("GET", "/api/v1/me", team.sk(), null, Map.of()).statusCode()).isEqualTo(401);
        JsonNode teams = WalkingSkeletonIT.json(TeamFixture.call("GET", "/api/v1/teams", team.token("alice"), null, Map.of()).body());
        assertThat(teams.path("team_list").findValues("id").stream().map(JsonNode::asText)).doesNotContain(team.teamId);
    }

    static String fill(String template) {
        String out = template.replace("{random}", UUID.randomUUID().toString());
        for (var e : ids.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    static String abbreviate(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
}
