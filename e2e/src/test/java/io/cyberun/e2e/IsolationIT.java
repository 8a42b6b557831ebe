package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.call;
import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Teams are isolated: every resource of team A (workflow, task, uploaded file, multipart upload, model, agent,
 * credential, member, invitation) reads as 404 for team B's callers, with every verb: read, update, delete, run,
 * cancel, rerun, result and events (JSON and SSE), through the real gateway and services. Team B's callers are
 * its sk- key and its owner's user token; team A's resources stay as they were.
 */
@ExtendWith(SharedStack.class)
class IsolationIT {

    @Test
    void anotherTeamsResourcesReadAsNotFoundForEveryVerb() throws Exception {
        CyberunStack stack = CyberunStack.shared();
        String workflow = "{\"workflow_slug\":\"isolated-a\",\"display_name\":\"A only\",\"tool_type\":\"exec\",\"workflow_json\":{\"command\":\"work\"},"
                + "\"parameters\":[{\"key\":\"source\",\"type\":\"file\"}],\"required_labels\":[\"isolation-a\"]}";
        TeamFixture a = new TeamFixture(stack, "Team A " + UUID.randomUUID(), workflow).join("dave", "member");
        a.loadUserIds();
        TeamFixture b = new TeamFixture(stack, "Team B " + UUID.randomUUID());
        String bSk = b.sk();

        // Team A's resources.
        String wf = ok(call("GET", "/api/v1/r/workflows/slug/isolated-a", a.sk(), null, Map.of()), 200).path("id").asText();
        String snapshot = ok(a.asUser("alice", "GET", "/api/v1/workflows/" + wf + "/snapshots", null), 200)
                .path("snapshot_list").get(0).path("id").asText();
        String task = ok(call("POST", "/api/v1/r/workflows/" + wf + "/run", a.sk(), "{\"parameters\":{}}", Map.of()), 202).path("task_id").asText();
        String done = ok(call("POST", "/api/v1/r/workflows/" + wf + "/run", a.sk(), "{\"parameters\":{}}", Map.of()), 202).path("task_id").asText();
        ok(call("POST", "/api/v1/r/tasks/" + done + "/cancel", a.sk(), null, Map.of()), 200);
        byte[] bytes = "team a's input".getBytes(StandardCharsets.UTF_8);
        JsonNode file = ok(call("POST", "/api/v1/r/files/presign", a.sk(),
                "{\"file_name\":\"a.txt\",\"file_size\":" + bytes.length + ",\"content_type\":\"text/plain\"}", Map.of()), 200);
        assertThat(AgentsIT.upload(file, bytes)).isEqualTo(200);
        String upload = ok(a.asUser("alice", "POST", "/api/v1/uploads/multipart/initiate",
                "{\"file_name\":\"big.bin\",\"file_size\":10485760,\"content_type\":\"application/octet-stream\",\"kind\":\"input\"}"), 200)
                .path("upload_id").asText();
        byte[] weights = ("weights " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        JsonNode presigned = ok(a.asUser("alice", "POST", "/api/v1/models/presign", "{\"file_name\":\"a.safetensors\",\"file_size\":"
                + weights.length + ",\"model_type\":\"checkpoints\",\"model_path\":\"a/a.safetensors\"}"), 200);
        assertThat(AgentsIT.upload(presigned, weights)).isEqualTo(200);
        String hash = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(weights));
        String model = ok(a.asUser("alice", "POST", "/api/v1/models", """
                {"display_name": "A's model", "model_type": "checkpoints", "model_path": "a/a.safetensors", "storage_key": "%s",
                 "file_size": %d, "file_hash": "%s"}""".formatted(presigned.path("storage_key").asText(), weights.length, hash)), 200)
                .path("id").asText();
        String credential = ok(a.asUser("alice", "POST", "/api/v1/credentials", "{\"kind\":\"integration\",\"display_name\":\"a's ci\"}"), 201)
                .path("id").asText();
        String invitation = ok(a.asUser("alice", "POST", "/api/v1/invitations", "{\"email_address\":\"erin@example.com\"}"), 200).path("id").asText();
        String daveInA = a.userIds.get("dave");
        stack.agent("isolation-a-agent", a.ak(), "isolation-b-only");
        AgentsIT.awaitAgentStatus(new AgentsIT.Team(a.sk(), a.ak(), null), "isolation-a-agent", "idle");

        // Team B's callers: its sk- key on the runtime API, its owner (alice, who is also in A) acting in B.
        record Probe(String method, String path, String body, boolean runtime) {
        }
        List<Probe> probes = List.of(
                new Probe("GET", "/api/v1/r/workflows/" + wf, null, true),
                new Probe("GET", "/api/v1/r/workflows/slug/isolated-a", null, true),
                new Probe("POST", "/api/v1/r/workflows/" + wf + "/run", "{\"parameters\":{}}", true),
                new Probe("POST", "/api/v1/r/workflows/slug/isolated-a/run", "{\"parameters\":{}}", true),
                new Probe("GET", "/api/v1/r/tasks/" + task, null, true),
                new Probe("GET", "/api/v1/r/tasks/" + done + "/result", null, true),
                new Probe("GET", "/api/v1/r/tasks/" + task + "/events?after=0", null, true),
                new Probe("GET", "/api/v1/r/tasks/" + task + "/events", null, true),
                new Probe("POST", "/api/v1/r/tasks/" + task + "/cancel", null, true),
                new Probe("POST", "/api/v1/r/tasks/" + done + "/rerun", null, true),
                new Probe("GET", "/api/v1/workflows/" + wf, null, false),
                new Probe("PUT", "/api/v1/workflows/" + wf, "{\"description\":\"b was here\"}", false),
                new Probe("DELETE", "/api/v1/workflows/" + wf, null, false),
                new Probe("GET", "/api/v1/workflows/" + wf + "/snapshots", null, false),
                new Probe("GET", "/api/v1/workflows/" + wf + "/snapshots/" + snapshot, null, false),
                new Probe("POST", "/api/v1/workflows/" + wf + "/snapshots/" + snapshot + "/restore", null, false),
                new Probe("POST", "/api/v1/uploads/multipart/" + upload + "/parts", "{}", false),
                new Probe("POST", "/api/v1/uploads/multipart/" + upload + "/complete", "{\"parts\":[{\"part_number\":1,\"etag\":\"x\"}]}", false),
                new Probe("DELETE", "/api/v1/uploads/multipart/" + upload, null, false),
                new Probe("GET", "/api/v1/models/" + model, null, false),
                new Probe("PUT", "/api/v1/models/" + model, "{\"display_name\":\"b was here\"}", false),
                new Probe("DELETE", "/api/v1/models/" + model, null, false),
                new Probe("DELETE", "/api/v1/credentials/" + credential, null, false),
                new Probe("DELETE", "/api/v1/invitations/" + invitation, null, false),
                new Probe("PUT", "/api/v1/members/" + daveInA, "{\"member_role\":\"viewer\"}", false),
                new Probe("DELETE", "/api/v1/members/" + daveInA, null, false));
        List<String> leaks = new ArrayList<>();
        for (Probe p : probes) {
            List<HttpResponse<String>> answers = new ArrayList<>();
            answers.add(b.asUser("alice", p.method(), p.path(), p.body()));
            if (p.runtime()) {
                answers.add(call(p.method(), p.path(), bSk, p.body(), p.path().endsWith("/events") ? Map.of("Accept", "text/event-stream") : Map.of()));
            }
            for (HttpResponse<String> r : answers) {
                if (r.statusCode() != 404 || !r.body().contains("\"error_message\"")) {
                    leaks.add(p.method() + " " + p.path() + " -> " + r.statusCode() + " " + r.body());
                }
            }
        }
        assertThat(leaks).as("team B reached team A's resources").isEmpty();

        // A run in team B may not use team A's uploaded file.
        ok(b.asUser("alice", "POST", "/api/v1/workflows/import", workflow.replace("isolated-a", "isolated-b")), 200);
        HttpResponse<String> stolen = call("POST", "/api/v1/r/workflows/slug/isolated-b/run", bSk,
                "{\"parameters\":{\"source\":\"" + file.path("file_key").asText() + "\"}}", Map.of());
        assertThat(stolen.statusCode()).as(stolen.body()).isBetween(400, 404);
        // Lists show nothing of team A.
        for (String list : List.of("/api/v1/r/workflows", "/api/v1/r/tasks", "/api/v1/r/agents")) {
            assertThat(call("GET", list, bSk, null, Map.of()).body()).doesNotContain(wf).doesNotContain(task).doesNotContain("isolation-a-agent");
        }
        for (String list : List.of("/api/v1/models", "/api/v1/credentials", "/api/v1/invitations", "/api/v1/members", "/api/v1/agents")) {
            String body = b.asUser("alice", "GET", list, null).body();
            assertThat(body).doesNotContain(model).doesNotContain(credential).doesNotContain(invitation).doesNotContain(daveInA)
                    .doesNotContain("isolation-a-agent");
        }
        // Team A's resources are untouched.
        assertThat(ok(call("GET", "/api/v1/r/tasks/" + task, a.sk(), null, Map.of()), 200).path("status").asText()).isNotEqualTo("cancelled");
        assertThat(ok(a.asUser("alice", "GET", "/api/v1/models/" + model, null), 200).path("display_name").asText()).isEqualTo("A's model");
        assertThat(ok(a.asUser("alice", "GET", "/api/v1/workflows/" + wf, null), 200).path("description").asText()).doesNotContain("b was here");
        assertThat(ok(a.asUser("alice", "GET", "/api/v1/members", null), 200).path("page_meta").path("total_count").asInt()).isEqualTo(2);
        assertThat(ok(a.asUser("alice", "GET", "/api/v1/r/agents", null), 200).toString()).contains("isolation-a-agent");
    }
}
