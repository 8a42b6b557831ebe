package io.cyberun.task.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.Topic;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.TaskOutputFile;
import io.cyberun.task.FileServiceStub;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.KafkaProbe;
import io.cyberun.testing.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks against the real database and Kafka: management with its validation, SSRF refusals, roles and team
 * isolation; deliveries of completed and failed tasks to a local receiver, signed (checked with Python's hmac, an
 * independent implementation), retried on failure, logged, and resent.
 */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = @ResourceArg(name = "database", value = "task"))
@QuarkusTestResource(FileServiceStub.class)
class WebhookApiTests {
    static final String WORKFLOW = """
            {"workflow_slug": "hooked", "display_name": "Hooked", "tool_type": "exec", "workflow_json": {"command": "demo"},
             "parameters": [{"key": "prompt", "type": "string", "required": true}], "required_labels": ["exec"], "max_retries": 0}""";
    static final CyberunTestContext CTX = CyberunTestContext.get();
    static KafkaProbe kafka;
    static WebhookReceiver receiver;
    final UUID team = UUID.randomUUID();

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaProbe(CTX.namespace());
        receiver = new WebhookReceiver();
    }

    @AfterAll
    static void stop() {
        kafka.close();
        receiver.close();
    }

    RequestSpecification as(UUID team, Role role) {
        return given().header(PrincipalTokens.HEADER, CTX.token(new Principal("caller-" + role.wireName(), team, role, CredentialKind.USER, null)))
                .contentType(ContentType.JSON);
    }

    RequestSpecification admin() {
        return as(team, Role.ADMIN);
    }

    String create(String name, String url, String... events) {
        String body = "{\"display_name\":\"" + name + "\",\"webhook_url\":\"" + url + "\",\"webhook_events\":[\""
                + String.join("\",\"", events) + "\"]}";
        return admin().body(body).post("/api/v1/webhooks").then().statusCode(200).body("id", notNullValue()).extract().path("id");
    }

    @Test
    void adminsCreateReadUpdateRotateAndDeleteWebhooks() {
        String id = create("Builds", receiver.url("/crud"), "task.completed", "task.failed", "task.completed");
        String secret = admin().get("/api/v1/webhooks/" + id).then().statusCode(200)
                .body("display_name", equalTo("Builds")).body("webhook_url", equalTo(receiver.url("/crud")))
                .body("webhook_events", equalTo(List.of("task.completed", "task.failed"))).body("webhook_status", equalTo("active"))
                .body("webhook_secret", startsWith("whsec_")).body("created_at", notNullValue())
                .extract().path("webhook_secret");
        admin().get("/api/v1/webhooks").then().statusCode(200).body("webhook_list.id", equalTo(List.of(id))).body("page_meta.total_count", equalTo(1));

        admin().body("{\"display_name\":\"Renamed\",\"webhook_status\":\"disabled\",\"webhook_events\":[\"task.failed\"]}")
                .put("/api/v1/webhooks/" + id).then().statusCode(200).body("id", equalTo(id));
        admin().get("/api/v1/webhooks/" + id).then().body("display_name", equalTo("Renamed")).body("webhook_status", equalTo("disabled"))
                .body("webhook_events", equalTo(List.of("task.failed"))).body("webhook_secret", equalTo(secret));
        admin().body("{\"webhook_url\":\"https://203.0.113.10/hooks/cyberun\"}").put("/api/v1/webhooks/" + id).then().statusCode(200);

        String rotated = admin().post("/api/v1/webhooks/" + id + "/rotate-secret").then().statusCode(200)
                .body("webhook_secret", startsWith("whsec_")).extract().path("webhook_secret");
        assertThat(rotated).isNotEqualTo(secret);
        admin().get("/api/v1/webhooks/" + id).then().body("webhook_secret", equalTo(rotated)).body("webhook_url", equalTo("https://203.0.113.10/hooks/cyberun"));

        admin().delete("/api/v1/webhooks/" + id).then().statusCode(204);
        admin().get("/api/v1/webhooks/" + id).then().statusCode(404).body("error_message", notNullValue());
        admin().get("/api/v1/webhooks").then().body("page_meta.total_count", equalTo(0));
    }

    @Test
    void badWebhooksAndInternalAddressesAreRefusedNamingTheFieldAndNothingIsStored() {
        for (String body : List.of("{}", "[]", "{\"display_name\":\"x\",\"webhook_url\":\"" + receiver.url("/x") + "\"}",
                "{\"display_name\":\"x\",\"webhook_url\":\"" + receiver.url("/x") + "\",\"webhook_events\":[]}",
                "{\"display_name\":\"x\",\"webhook_url\":\"" + receiver.url("/x") + "\",\"webhook_events\":[\"task.started\"]}",
                "{\"display_name\":\"" + "n".repeat(256) + "\",\"webhook_url\":\"" + receiver.url("/x") + "\",\"webhook_events\":[\"task.failed\"]}")) {
            admin().body(body).post("/api/v1/webhooks").then().statusCode(400).body("error_message", notNullValue());
        }
        admin().body("{\"webhook_url\":\"" + receiver.url("/x") + "\",\"webhook_events\":[\"task.failed\",\"task.started\"]}")
                .post("/api/v1/webhooks").then().statusCode(400).body("error_code", equalTo("validation_failed"))
                .body("details.field", org.hamcrest.Matchers.contains("display_name", "webhook_events[1]"));
        for (String url : List.of("http://203.0.113.10/hook", "ftp://203.0.113.10/hook", "not a url", "/relative", "https://localhost/hook",
                "https://127.0.0.2/hook", "https://10.1.2.3/hook", "https://172.16.0.1/hook", "https://192.168.1.10/hook",
                "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/hook", "https://0.0.0.0/hook", "https://[::1]/hook",
                "https://[fd00::1]/hook", "https://[fe80::1]/hook", "https://[::ffff:10.0.0.1]/hook", "https://user:pw@203.0.113.10/hook",
                "https://no-such-host.invalid/hook", "https://203.0.113.10/" + "p".repeat(2048))) {
            admin().body("{\"display_name\":\"x\",\"webhook_url\":\"" + url + "\",\"webhook_events\":[\"task.failed\"]}")
                    .post("/api/v1/webhooks").then().statusCode(400).body("details[0].field", equalTo("webhook_url"))
                    .body("error_message", startsWith("webhook_url"));
        }
        admin().get("/api/v1/webhooks").then().body("page_meta.total_count", equalTo(0));

        String id = create("Good", receiver.url("/good"), "task.failed");
        admin().body("{\"webhook_url\":\"https://10.0.0.1/x\",\"display_name\":\"Changed\"}").put("/api/v1/webhooks/" + id).then().statusCode(400);
        admin().body("{\"webhook_status\":\"paused\"}").put("/api/v1/webhooks/" + id).then().statusCode(400).body("details[0].field", equalTo("webhook_status"));
        admin().body("{\"secret\":\"mine\"}").put("/api/v1/webhooks/" + id).then().statusCode(400).body("details[0].field", equalTo("secret"));
        admin().get("/api/v1/webhooks/" + id).then().body("display_name", equalTo("Good")).body("webhook_url", equalTo(receiver.url("/good")));
        admin().get("/api/v1/webhooks/not-a-uuid").then().statusCode(404);
    }

    @Test
    void onlyAdminsOfTheTeamSeeOrChangeItsWebhooks() {
        String id = create("Mine", receiver.url("/mine"), "task.completed");
        for (Role role : List.of(Role.MEMBER, Role.VIEWER)) {
            as(team, role).get("/api/v1/webhooks").then().statusCode(403);
            as(team, role).get("/api/v1/webhooks/" + id).then().statusCode(403);
            as(team, role).body("{\"display_name\":\"x\",\"webhook_url\":\"" + receiver.url("/x") + "\",\"webhook_events\":[\"task.failed\"]}")
                    .post("/api/v1/webhooks").then().statusCode(403);
        }
        UUID other = UUID.randomUUID();
        as(other, Role.OWNER).get("/api/v1/webhooks/" + id).then().statusCode(404);
        as(other, Role.OWNER).body("{\"display_name\":\"x\"}").put("/api/v1/webhooks/" + id).then().statusCode(404);
        as(other, Role.OWNER).post("/api/v1/webhooks/" + id + "/rotate-secret").then().statusCode(404);
        as(other, Role.OWNER).get("/api/v1/webhooks/" + id + "/deliveries").then().statusCode(404);
        as(other, Role.OWNER).post("/api/v1/webhooks/" + id + "/deliveries/" + UUID.randomUUID() + "/resend").then().statusCode(404);
        as(other, Role.OWNER).delete("/api/v1/webhooks/" + id).then().statusCode(404);
        as(other, Role.OWNER).get("/api/v1/webhooks").then().body("page_meta.total_count", equalTo(0));
        admin().get("/api/v1/webhooks/" + id).then().statusCode(200);
    }

    String runTask() {
        String workflow = admin().body(WORKFLOW).post("/api/v1/workflows/import").then().statusCode(200).extract().path("id");
        return as(team, Role.MEMBER).body("{\"parameters\":{\"prompt\":\"x\"}}").post("/api/v1/r/workflows/" + workflow + "/run")
                .then().statusCode(202).extract().path("task_id");
    }

    void start(UUID task) {
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Assign(task, team, "gpu-1", null, List.of(), null));
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Start(task, team, "gpu-1", 1));
    }

    /** HMAC-SHA256 computed by Python's hmac module, not by our code. */
    static String pythonHmac(String secret, String message) throws Exception {
        Process p = new ProcessBuilder("python3", "-c",
                "import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())", secret)
                .redirectErrorStream(true).start();
        p.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("python3 runs").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as("python3 is needed to verify webhook signatures independently: " + out).isZero();
        return out;
    }

    @Test
    void aCompletedTaskIsDeliveredSignedAndAFailingReceiverIsRetriedUntilItAnswers() throws Exception {
        String hook = create("Completed", receiver.url("/completed"), "task.completed");
        create("Failures only", receiver.url("/failures-only"), "task.failed");
        String secret = admin().get("/api/v1/webhooks/" + hook).then().extract().path("webhook_secret");
        receiver.answer("/completed", 500, 503);
        String taskId = runTask();
        UUID task = UUID.fromString(taskId);
        start(task);
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Complete(task, team, "gpu-1", 1,
                List.of(new TaskOutputFile("a.png", "teams/" + team + "/tasks/" + task + "/outputs/a.png", 3, "image/png", "abc"))));

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/completed").size() >= 3);
        List<WebhookReceiver.Received> got = receiver.at("/completed");
        assertThat(got).hasSize(3);
        assertThat(got).extracting(r -> r.header("X-Webhook-Attempt")).containsExactly("1", "2", "3");
        assertThat(got).extracting(r -> r.header("X-Webhook-Delivery")).containsOnly(got.get(0).header("X-Webhook-Delivery"));
        assertThat(got.get(1).at() - got.get(0).at()).as("the retry waited its delay").isGreaterThanOrEqualTo(800);
        WebhookReceiver.Received last = got.get(2);
        assertThat(last.header("Content-Type")).isEqualTo("application/json");
        assertThat(last.header("X-Webhook-Event")).isEqualTo("task.completed");
        assertThat(last.header("X-Webhook-Signature-256")).isEqualTo("sha256=" + pythonHmac(secret, last.body()));
        String timestamp = last.header("X-Webhook-Timestamp");
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp))).isLessThan(60);
        assertThat(last.header("X-Webhook-Timestamp-Signature-256")).isEqualTo("sha256=" + pythonHmac(secret, timestamp + "." + last.body()));
        assertThat(last.header("X-Webhook-Signature-256")).isNotEqualTo("sha256=" + pythonHmac("whsec_wrong", last.body()));

        JsonNode body = CyberunJson.mapper().readTree(last.body());
        assertThat(body.path("event_type").asText()).isEqualTo("task.completed");
        assertThat(body.path("task_id").asText()).isEqualTo(taskId);
        assertThat(body.path("task_status").asText()).isEqualTo("completed");
        assertThat(body.path("task_output").isObject()).as(body.toString()).isTrue();
        assertThat(body.path("task_error").asText()).isEmpty();
        assertThat(Instant.parse(body.path("timestamp").asText())).isBefore(Instant.now().plusSeconds(1));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/api/v1/webhooks/" + hook + "/deliveries").then().statusCode(200)
                .body("delivery_list[0].delivery_status", equalTo("delivered")).body("delivery_list[0].attempts", equalTo(3))
                .body("delivery_list[0].last_status_code", equalTo(200)).body("delivery_list[0].task_id", equalTo(taskId))
                .body("delivery_list[0].payload.task_id", equalTo(taskId)));
        admin().get("/api/v1/webhooks/" + hook).then().body("last_delivered_at", notNullValue());
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(receiver.at("/failures-only")).as("a webhook for task.failed hears nothing of a completion").isEmpty();
            assertThat(receiver.at("/completed")).as("delivered once: no attempt after the 200").hasSize(3);
        });
    }

    @Test
    void aReceiverFailingEveryAttemptGetsFourThenTheDeliveryFailsAndCanBeResent() throws Exception {
        String hook = create("Failed", receiver.url("/failed"), "task.failed");
        receiver.answer("/failed", 500, 500, 500, 500);
        String taskId = runTask();
        UUID task = UUID.fromString(taskId);
        start(task);
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Fail(task, team, "gpu-1", 1, "CUDA out of memory", false, List.of()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get("/api/v1/webhooks/" + hook + "/deliveries").then()
                .body("delivery_list[0].delivery_status", equalTo("failed")));
        assertThat(receiver.at("/failed")).hasSize(4);
        JsonNode body = CyberunJson.mapper().readTree(receiver.at("/failed").get(0).body());
        assertThat(body.path("task_status").asText()).isEqualTo("failed");
        assertThat(body.path("task_error").asText()).isEqualTo("CUDA out of memory");
        assertThat(body.path("task_output").isNull()).isTrue();
        String delivery = admin().get("/api/v1/webhooks/" + hook + "/deliveries").then()
                .body("delivery_list[0].attempts", equalTo(4)).body("delivery_list[0].last_status_code", equalTo(500))
                .body("delivery_list[0].last_error", equalTo("the receiver answered 500")).extract().path("delivery_list[0].id");

        String resent = admin().post("/api/v1/webhooks/" + hook + "/deliveries/" + delivery + "/resend").then().statusCode(202)
                .body("id", notNullValue()).extract().path("id");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.at("/failed").size() == 5);
        assertThat(receiver.at("/failed").get(4).body()).isEqualTo(receiver.at("/failed").get(0).body());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/api/v1/webhooks/" + hook + "/deliveries").then()
                .body("page_meta.total_count", equalTo(2)).body("delivery_list.id", hasItem(resent))
                .body("delivery_list.find { it.id == '" + resent + "' }.delivery_status", equalTo("delivered"))
                .body("delivery_list.find { it.id == '" + resent + "' }.resend_of", equalTo(delivery)));
        admin().post("/api/v1/webhooks/" + hook + "/deliveries/" + UUID.randomUUID() + "/resend").then().statusCode(404);
    }
}
