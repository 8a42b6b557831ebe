package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.call;
import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.json.CyberunJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard at {@code /} in Debian's Chromium (e2e/clients/dashboard.mjs), signed in through the real Keycloak login
 * page, against the real stack: a run from the dialog with a file parameter completes on the task list without a reload;
 * two waiting tasks are cancelled together; a ComfyUI graph is imported twice, the versions compared and the first
 * restored; a key's secret is shown once; a viewer is invited, signs in, joins and is offered no run or cancel action;
 * axe-core finds no serious or critical violation on any page or dialog on the way. The API then confirms each effect.
 */
@ExtendWith(SharedStack.class)
class DashboardIT {
    static final String NOBODY_SERVES = """
            {"workflow_slug": "nobody-serves", "display_name": "Nobody serves", "tool_type": "exec",
             "workflow_json": {"command": "demo-render"}, "parameters": [{"key": "prompt", "type": "string"}],
             "required_labels": ["exec", "no-such-label"]}""";
    static final String GRAPH = """
            {"3": {"class_type": "KSampler", "inputs": {"seed": 42, "steps": 20, "cfg": 7.5, "model": ["4", 0]}},
             "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd15.safetensors"}},
             "6": {"class_type": "CLIPTextEncode", "_meta": {"title": "Positive"}, "inputs": {"text": "a cat", "clip": ["4", 1]}}}""";

    static CyberunStack stack;
    static TeamFixture team;
    static Path chromium;

    @BeforeAll
    static void setUp() throws Exception {
        stack = CyberunStack.shared();
        NodeClients.install();
        chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertThat(chromium).as("Debian's chromium is needed for the browser tests: bin/test installs it (apt-get install chromium)").isExecutable();
        team = new TeamFixture(stack, "Dashboard " + UUID.randomUUID().toString().substring(0, 8), stack.workflowJson(), NOBODY_SERVES);
        stack.agent(new CyberunStack.AgentOptions("dashboard-agent", team.ak(), "exec, demo, cpu").env("DEMO_STEP_SECONDS", "0.2"));
    }

    static String workflowId(String slug) throws Exception {
        for (JsonNode w : ok(call("GET", "/api/v1/r/workflows", team.sk(), null, Map.of()), 200).path("workflow_list")) {
            if (w.path("workflow_slug").asText().equals(slug)) {
                return w.path("id").asText();
            }
        }
        throw new AssertionError("no workflow " + slug);
    }

    static List<String> serious(JsonNode violations) {
        List<String> found = new ArrayList<>();
        violations.forEach(v -> {
            if (List.of("serious", "critical").contains(v.path("impact").asText())) {
                found.add(v.toString());
            }
        });
        return found;
    }

    @Test
    void aTeamWorksThroughTheDashboardFromSignInToInvitingAViewer() throws Exception {
        Path dir = Files.createDirectories(stack.root.resolve("e2e/target/dashboard"));
        Path attachment = Files.writeString(dir.resolve("notes.txt"), "passed through the dashboard\n");
        Path graph1 = Files.writeString(dir.resolve("graph-v1.json"), GRAPH);
        Path graph2 = Files.writeString(dir.resolve("graph-v2.json"), GRAPH.replace("\"steps\": 20", "\"steps\": 30").replace("a cat", "a dog"));
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            waiting.add(ok(call("POST", "/api/v1/r/workflows/slug/nobody-serves/run", team.sk(), "{\"parameters\":{\"prompt\":\"wait " + i + "\"}}",
                    Map.of()), 202).path("task_id").asText());
        }
        Path screenshot = stack.root.resolve("e2e/target/screenshots/dashboard-viewer.png");
        Files.createDirectories(screenshot.getParent());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("gateway", stack.gateway.url());
        settings.put("team", team.teamId);
        settings.put("user", "alice");
        settings.put("password", stack.ctx.endpoints().alicePassword());
        settings.put("file_workflow", workflowId("demo-render"));
        settings.put("attachment", attachment.toString());
        settings.put("cancel", waiting);
        settings.put("graph_v1", graph1.toString());
        settings.put("graph_v2", graph2.toString());
        settings.put("graph_slug", "browser-graph");
        settings.put("invitee", "bob");
        settings.put("invitee_password", stack.ctx.endpoints().bobPassword());
        settings.put("screenshot", screenshot.toString());

        NodeClients.Run browser = NodeClients.node(List.of("dashboard.mjs", "owner", CyberunJson.mapper().writeValueAsString(settings)),
                Map.of("CHROMIUM", chromium.toString()), 300);
        assertThat(browser.exit()).as(browser.describe()).isZero();
        JsonNode shown = browser.summary();
        assertThat(shown.path("completed").asBoolean()).as(shown.path("failure").asText() + "\n" + shown).isTrue();
        assertThat(shown.path("page_errors")).as(shown.toString()).isEmpty();
        assertThat(shown.path("steps").path("login_page_alice").asText()).as("signed in on the issuer's own page")
                .isEqualTo(stack.ctx.endpoints().oidcRealmUrl() + "/protocol/openid-connect/auth");
        shown.path("accessibility").fields().forEachRemaining(page -> assertThat(serious(page.getValue()))
                .as("axe-core: serious or critical violations on %s", page.getKey()).isEmpty());
        assertThat(shown.path("accessibility").size()).as("pages and dialogs checked").isGreaterThanOrEqualTo(14);
        JsonNode steps = shown.path("steps");

        // The run: started from the dialog with a file, seen completing on the list of the same page.
        JsonNode ran = steps.path("ran");
        assertThat(ran.path("same_document").asBoolean()).as("no reload between the run and its completion").isTrue();
        assertThat(steps.path("upload").asText()).startsWith("Uploaded notes.txt");
        JsonNode task = ok(call("GET", "/api/v1/r/tasks/" + ran.path("task").asText(), team.sk(), null, Map.of()), 200);
        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("parameters").path("attachment").asText()).as("the file parameter is the uploaded input")
                .startsWith("teams/" + team.teamId + "/inputs/");
        List<String> outputs = new ArrayList<>();
        steps.path("task_page").path("outputs").forEach(o -> outputs.add(o.path("name").asText()));
        assertThat(outputs).contains("attachment-notes.txt", "card.svg");
        String link = steps.path("task_page").path("outputs").get(0).path("href").asText();
        assertThat(WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                .as("the page's download link works").isEqualTo(200);

        for (String id : waiting) {
            assertThat(ok(call("GET", "/api/v1/r/tasks/" + id, team.sk(), null, Map.of()), 200).path("status").asText()).isEqualTo("cancelled");
        }

        // The graph: three versions, the live one equal to the first.
        String workflow = steps.path("restored").path("workflow").asText();
        JsonNode restored = ok(team.asUser("alice", "GET", "/api/v1/workflows/" + workflow, null), 200);
        assertThat(restored.path("version").asInt()).isEqualTo(3);
        assertThat(restored.path("workflow_json")).isEqualTo(CyberunJson.mapper().readTree(GRAPH));
        assertThat(restored.path("parameters").get(0).path("node_id").asText()).as("the mapped input").isNotBlank();
        assertThat(steps.path("diff").path("added").asInt()).isEqualTo(2);

        // The key: shown once, and it works.
        String secret = steps.path("key").path("secret").asText();
        assertThat(secret).startsWith("sk-");
        assertThat(steps.path("key").path("shown_after_done").asBoolean()).isFalse();
        assertThat(steps.path("key").path("shown_after_reload").asBoolean()).isFalse();
        assertThat(ok(call("GET", "/api/v1/me", secret, null, Map.of()), 200).path("team_id").asText()).isEqualTo(team.teamId);

        assertThat(steps.path("refused").asText()).as("the API's error_message, shown as it came").containsIgnoringCase("already");

        // The viewer: joined through the link, offered nothing it may not do.
        assertThat(steps.path("invitation_link").asText()).startsWith(stack.gateway.url() + "/#/accept/inv-");
        JsonNode viewer = steps.path("viewer");
        assertThat(viewer.path("role").asText()).isEqualTo("viewer");
        assertThat(viewer.path("run_buttons").asInt()).isZero();
        assertThat(viewer.path("cancel_controls").asInt()).isZero();
        assertThat(viewer.path("task_page_actions")).isEmpty();
        List<String> members = new ArrayList<>();
        ok(team.asUser("alice", "GET", "/api/v1/members", null), 200).path("member_list")
                .forEach(m -> members.add(m.path("email_address").asText() + ":" + m.path("member_role").asText()));
        assertThat(members).contains("bob@example.com:viewer");
        assertThat(Files.size(screenshot)).isGreaterThan(5_000);
    }

    @Test
    void anAdminOnAPhoneSeesTheAgentUploadsModelsAndFollowsAWebhooksDeliveries() throws Exception {
        Path dir = Files.createDirectories(stack.root.resolve("e2e/target/dashboard"));
        byte[] large = new byte[70 * 1024 * 1024];
        new java.util.Random(7).nextBytes(large);
        Path largeModel = Files.write(dir.resolve("large.safetensors"), large);
        Path smallModel = Files.writeString(dir.resolve("small.safetensors"), "a small model\n");
        Path screenshot = stack.root.resolve("e2e/target/screenshots/dashboard-phone.png");
        Files.createDirectories(screenshot.getParent());
        try (io.cyberun.testing.WebhookReceiver receiver = new io.cyberun.testing.WebhookReceiver()) {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("gateway", stack.gateway.url());
            settings.put("team", team.teamId);
            settings.put("user", "alice");
            settings.put("password", stack.ctx.endpoints().alicePassword());
            settings.put("agent", "dashboard-agent");
            settings.put("large_model", largeModel.toString());
            settings.put("small_model", smallModel.toString());
            settings.put("webhook_url", receiver.url("/dashboard"));
            settings.put("file_workflow", workflowId("demo-render"));
            settings.put("screenshot", screenshot.toString());
            NodeClients.Run browser = NodeClients.node(List.of("dashboard.mjs", "admin", CyberunJson.mapper().writeValueAsString(settings)),
                    Map.of("CHROMIUM", chromium.toString()), 300);
            assertThat(browser.exit()).as(browser.describe()).isZero();
            JsonNode shown = browser.summary();
            assertThat(shown.path("completed").asBoolean()).as(shown.path("failure").asText() + "\n" + shown).isTrue();
            assertThat(shown.path("page_errors")).as(shown.toString()).isEmpty();
            shown.path("accessibility").fields().forEachRemaining(page -> assertThat(serious(page.getValue()))
                    .as("axe-core: serious or critical violations on %s", page.getKey()).isEmpty());
            JsonNode steps = shown.path("steps");
            assertThat(steps.path("overflow").size()).isEqualTo(3);
            steps.path("overflow").fields().forEachRemaining(page -> assertThat(page.getValue().path("px").asInt())
                    .as("nothing wider than a phone's screen on %s: %s", page.getKey(), page.getValue()).isLessThanOrEqualTo(0));
            assertThat(steps.path("agent").asText()).contains("of 2 running").contains("exec");

            // The large model went up in parts, its hash computed in the page and checked by the server.
            JsonNode models = ok(team.asUser("alice", "GET", "/api/v1/models", null), 200).path("model_list");
            assertThat(models).hasSize(1);
            JsonNode model = models.get(0);
            assertThat(model.path("display_name").asText()).isEqualTo("browser-large");
            assertThat(model.path("model_status").asText()).isEqualTo("active");
            assertThat(model.path("file_size").asLong()).isEqualTo(large.length);
            assertThat(model.path("file_hash").asText()).isEqualTo("sha256:" + java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(large)));

            // The delivery the page showed, and its resend, reached the receiver with the same body.
            assertThat(steps.path("payload").path("task_id").asText()).isEqualTo(steps.path("ran").asText());
            List<io.cyberun.testing.WebhookReceiver.Received> received = receiver.at("/dashboard");
            assertThat(received).hasSizeGreaterThanOrEqualTo(2);
            assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
            JsonNode hooks = ok(team.asUser("alice", "GET", "/api/v1/webhooks", null), 200).path("webhook_list");
            assertThat(hooks.get(0).path("webhook_secret").asText()).as("the rotated secret the page showed").isEqualTo(steps.path("rotated").asText());
        }
    }

    @Test
    void withTheTeamStreamBlockedTheListFollowsARunByPolling() throws Exception {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("gateway", stack.gateway.url());
        settings.put("team", team.teamId);
        settings.put("user", "alice");
        settings.put("password", stack.ctx.endpoints().alicePassword());
        settings.put("file_workflow", workflowId("demo-render"));
        NodeClients.Run browser = NodeClients.node(List.of("dashboard.mjs", "polling", CyberunJson.mapper().writeValueAsString(settings)),
                Map.of("CHROMIUM", chromium.toString()), 240);
        assertThat(browser.exit()).as(browser.describe()).isZero();
        JsonNode shown = browser.summary();
        assertThat(shown.path("completed").asBoolean()).as(shown.path("failure").asText() + "\n" + shown).isTrue();
        assertThat(shown.path("steps").path("polled").path("state").asText()).isEqualTo("Live (polling)");
        assertThat(ok(call("GET", "/api/v1/r/tasks/" + shown.path("steps").path("polled").path("task").asText(), team.sk(), null, Map.of()), 200)
                .path("status").asText()).isEqualTo("completed");
    }

    @Test
    void theDashboardIsServedWithItsBundleAndAPolicyThatAllowsOnlyItselfTheIssuerAndTheStore() throws Exception {
        HttpResponse<String> page = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script type=\"module\" src=\"/dashboard/app.js\">");
        URI issuer = URI.create(stack.ctx.endpoints().oidcRealmUrl());
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self';").contains("connect-src 'self' " + issuer.getScheme() + "://" + issuer.getRawAuthority() + " ")
                .contains("frame-ancestors 'none'");
        HttpResponse<String> bundle = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/dashboard/app.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bundle.statusCode()).isEqualTo(200);
        assertThat(bundle.body()).as("bundled: no bare import left for the browser to resolve").doesNotContain("from\"preact\"")
                .doesNotContain("from 'preact'");
    }
}
