package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.call;
import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhooks end to end: an admin registers one through the gateway, an agent runs a task, and the receiver gets the
 * completion signed as documented (checked with Node's crypto, not our code); a delivery waiting for its retry
 * survives task-service being killed.
 */
@ExtendWith(SharedStack.class)
class WebhooksIT {
    static CyberunStack stack;
    static TeamFixture team;
    static WebhookReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        team = new TeamFixture(stack, "Webhook team", stack.workflowJson());
        stack.agent(new CyberunStack.AgentOptions("webhook-agent", team.ak(), "exec, demo, cpu"));
        receiver = new WebhookReceiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    static String webhook(String path) throws Exception {
        return ok(team.asUser("alice", "POST", "/api/v1/webhooks", "{\"display_name\":\"e2e " + path + "\",\"webhook_url\":\""
                + receiver.url(path) + "\",\"webhook_events\":[\"task.completed\",\"task.failed\"]}"), 200).path("id").asText();
    }

    static String run(String prompt) throws Exception {
        return ok(call("POST", "/api/v1/r/workflows/slug/demo-render/run", team.sk(), "{\"parameters\":{\"prompt\":\"" + prompt + "\",\"steps\":2}}",
                Map.of()), 202).path("task_id").asText();
    }

    static JsonNode deliveries(String hook) throws Exception {
        return ok(team.asUser("alice", "GET", "/api/v1/webhooks/" + hook + "/deliveries", null), 200).path("delivery_list");
    }

    /** HMAC-SHA256 by Node's crypto module (the system's node): an implementation that shares nothing with ours. */
    static String nodeHmac(String secret, String body) throws Exception {
        Process p = new ProcessBuilder("node", "-e", "const c = require('crypto'); let d = ''; process.stdin.setEncoding('utf8');"
                + " process.stdin.on('data', x => d += x).on('end', () => console.log(c.createHmac('sha256', process.argv[1]).update(d, 'utf8').digest('hex')))",
                secret).redirectErrorStream(true).start();
        p.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void aTaskRunByAnAgentIsDeliveredSignedAsDocumented() throws Exception {
        String hook = webhook("/done");
        String secret = ok(team.asUser("alice", "GET", "/api/v1/webhooks/" + hook, null), 200).path("webhook_secret").asText();
        assertThat(call("POST", "/api/v1/webhooks", team.sk(), "{}", Map.of()).statusCode()).as("webhooks are managed by users").isEqualTo(401);

        String task = run("hooked");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !receiver.at("/done").isEmpty());
        WebhookReceiver.Received got = receiver.at("/done").get(0);
        assertThat(got.header("X-Webhook-Signature-256")).isEqualTo("sha256=" + nodeHmac(secret, got.body()));
        assertThat(got.header("X-Webhook-Timestamp-Signature-256"))
                .isEqualTo("sha256=" + nodeHmac(secret, got.header("X-Webhook-Timestamp") + "." + got.body()));
        JsonNode body = WalkingSkeletonIT.json(got.body());
        assertThat(body.path("event_type").asText()).isEqualTo("task.completed");
        assertThat(body.path("task_id").asText()).isEqualTo(task);
        assertThat(body.path("task_status").asText()).isEqualTo("completed");
        assertThat(body.path("task_error").asText()).isEmpty();
        assertThat(body.path("task_output").findValuesAsText("name")).contains("card.svg", "prompt.txt");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(deliveries(hook).path(0).path("delivery_status").asText()));
    }

    @Test
    void aDeliveryWaitingForItsRetrySurvivesTaskServiceBeingKilledAndSucceedsOnce() throws Exception {
        String hook = webhook("/crash");
        receiver.answer("/crash", 500);
        String task = run("crash between attempts");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode d = deliveries(hook).path(0);
            return d.path("attempts").asInt() == 1 && d.path("last_status_code").asInt() == 500;
        });
        assertThat(receiver.at("/crash")).hasSize(1);

        stack.restartTaskService(true, Map.of());
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> receiver.at("/crash").size() >= 2);
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(receiver.at("/crash")).as("the retry after the restart, and nothing after its 200").hasSize(2));
        assertThat(WalkingSkeletonIT.json(receiver.at("/crash").get(1).body()).path("task_id").asText()).isEqualTo(task);
        JsonNode d = deliveries(hook).path(0);
        assertThat(d.path("delivery_status").asText()).isEqualTo("delivered");
        assertThat(d.path("attempts").asInt()).isEqualTo(2);
    }
}
