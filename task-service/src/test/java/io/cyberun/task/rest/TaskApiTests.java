package io.cyberun.task.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.Topic;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.TaskOutputFile;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.FileServiceStub;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.KafkaProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = @ResourceArg(name = "database", value = "task"))
@QuarkusTestResource(FileServiceStub.class)
class TaskApiTests {
    static final String WORKFLOW = """
            {"workflow_slug": "%s", "display_name": "Demo", "tool_type": "exec", "workflow_json": {"command": "demo"},
             "parameters": [{"key": "prompt", "type": "string", "required": true},
                            {"key": "steps", "type": "integer", "default": 4, "min": 1, "max": 10}],
             "required_labels": ["exec"], "max_retries": 0}""";

    static final CyberunTestContext CTX = CyberunTestContext.get();
    static KafkaProbe kafka;
    final UUID team = UUID.randomUUID();
    @Inject
    Pool pool;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaProbe(CTX.namespace());
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    RequestSpecification as(UUID team, Role role, CredentialKind kind) {
        return given().header(PrincipalTokens.HEADER, CTX.token(new Principal("caller-" + role.wireName(), team, role, kind, null)));
    }

    RequestSpecification admin() {
        return as(team, Role.ADMIN, CredentialKind.USER);
    }

    String importWorkflow(String slug) {
        return admin().contentType(ContentType.JSON).body(WORKFLOW.formatted(slug))
                .post("/api/v1/workflows/import").then().statusCode(200).extract().path("id");
    }

    String run(String path, String body) {
        return as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON).body(body)
                .post(path).then().statusCode(202).body("task_id", notNullValue()).extract().path("task_id");
    }

    @Test
    void aRunIsAcceptedStoredAsPendingAndItsSubmittedEventReachesKafka() {
        var events = kafka.reader(Topic.TASK_EVENTS, TaskEvent.FAMILY);
        String workflow = importWorkflow("render");
        String task = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"a cat\"}}");

        admin().get("/api/v1/r/tasks/" + task).then().statusCode(200)
                .body("status", equalTo("pending"))
                .body("workflow_id", equalTo(workflow))
                .body("workflow_version", equalTo(1))
                .body("parameters.steps", equalTo(4))
                .body("dispatch_target", equalTo("agent"))
                .body("target_pool", equalTo("team"))
                .body("tool_type", equalTo("exec"));
        TaskEvent.Submitted submitted = events.await(TaskEvent.Submitted.class, e -> e.taskId().toString().equals(task), Duration.ofSeconds(20));
        assertThat(submitted.seq()).isEqualTo(1);
        assertThat(submitted.teamId()).isEqualTo(team);
        assertThat(submitted.spec().requiredLabels()).containsExactly("exec");
        assertThat(submitted.spec().parameters().path("prompt").asText()).isEqualTo("a cat");
    }

    @Test
    void aSentEventLeavesTheOutboxAndIsNotSentAgainByTheSweep() {
        var events = kafka.reader(Topic.TASK_EVENTS, TaskEvent.FAMILY);
        String workflow = importWorkflow("outbox");
        String task = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"a cat\"}}");
        events.await(TaskEvent.Submitted.class, e -> e.taskId().toString().equals(task), Duration.ofSeconds(20));

        await().atMost(Duration.ofSeconds(20)).until(() -> pool.preparedQuery("select count(*) from task_event_outbox o"
                        + " join task_event e on e.position = o.position where e.task_id = $1").execute(Tuple.of(UUID.fromString(task)))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0) == 0);
        // The sweep sends again what stays in the outbox longer than 5 s: had the relay not taken the sent event out
        // (by its id), a second copy would follow.
        long copies = events.drain(Duration.ofSeconds(7)).stream()
                .filter(e -> e instanceof TaskEvent.Submitted s && s.taskId().toString().equals(task)).count();
        assertThat(copies).isEqualTo(1);
    }

    @Test
    void aTaskShowsEveryDocumentedFieldNullWhileUnknownAndItsPriority() {
        String workflow = importWorkflow("shape");
        String task = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"shape\"},\"priority\":7}");
        List<String> documented = List.of("id", "workflow_id", "created_at", "task_error", "retry_count", "started_at", "completed_at",
                "agent_id", "agent_labels", "gateway_id", "gpu_type", "dispatch_target", "target_pool", "tool_type", "status", "priority");
        Map<String, Object> detail = admin().get("/api/v1/r/tasks/" + task).then().statusCode(200).extract().jsonPath().getMap("");
        assertThat(detail).containsKeys(documented.toArray(new String[0]));
        assertThat(detail.get("priority")).isEqualTo(7);
        // A task no agent has taken yet: these are known later, and present as null now.
        for (String unknown : List.of("task_error", "started_at", "completed_at", "agent_id", "gateway_id", "gpu_type")) {
            assertThat(detail.get(unknown)).as(unknown).isNull();
        }
        List<Map<String, Object>> items = admin().get("/api/v1/r/tasks").then().statusCode(200).extract().jsonPath().getList("task_list");
        Map<String, Object> item = items.stream().filter(t -> task.equals(t.get("id"))).findFirst().orElseThrow();
        assertThat(item).containsKeys(documented.toArray(new String[0]));
        assertThat(item.get("priority")).isEqualTo(7);
    }

    @Test
    void runningBySlugAndSlugAtVersionPinsTheVersion() {
        importWorkflow("pinned");
        admin().contentType(ContentType.JSON).body(WORKFLOW.formatted("pinned").replace("\"max\": 10", "\"max\": 5"))
                .post("/api/v1/workflows/import").then().statusCode(200);
        String v1 = run("/api/v1/r/workflows/slug/pinned@1/run", "{\"parameters\":{\"prompt\":\"x\",\"steps\":8}}");
        admin().get("/api/v1/r/tasks/" + v1).then().body("workflow_version", equalTo(1));
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON).body("{\"parameters\":{\"prompt\":\"x\",\"steps\":8}}")
                .post("/api/v1/r/workflows/slug/pinned/run").then().statusCode(400)
                .body("details[0].field", equalTo("parameters.steps"));
        as(team, Role.VIEWER, CredentialKind.INTEGRATION).get("/api/v1/r/workflows/slug/pinned@1").then().statusCode(200)
                .body("version", equalTo(1)).body("workflow_json", nullValue());
        as(team, Role.VIEWER, CredentialKind.USER).get("/api/v1/r/workflows/slug/pinned").then().statusCode(200)
                .body("version", equalTo(2)).body("workflow_json.command", equalTo("demo"));
        admin().get("/api/v1/r/workflows/slug/pinned@9").then().statusCode(404);
        admin().get("/api/v1/r/workflows/slug/pinned@x").then().statusCode(400);
        admin().get("/api/v1/r/workflows/slug/Not_A_Slug").then().statusCode(400).body("error_code", equalTo("validation_failed"));
    }

    @Test
    void aBadRunListsEveryBadFieldAndWritesNothing() {
        String workflow = importWorkflow("strict");
        int before = admin().get("/api/v1/r/tasks").then().extract().path("page_meta.total_count");
        as(team, Role.MEMBER, CredentialKind.USER).contentType(ContentType.JSON)
                .body("{\"parameters\":{\"steps\":99,\"color\":\"red\"},\"priority\":500}")
                .post("/api/v1/r/workflows/" + workflow + "/run").then().statusCode(400)
                .body("error_code", equalTo("validation_failed"))
                .body("error_message", notNullValue())
                .body("details.field", hasItems("parameters.color", "parameters.prompt", "parameters.steps", "priority"));
        int after = admin().get("/api/v1/r/tasks").then().extract().path("page_meta.total_count");
        assertThat(after).isEqualTo(before);
    }

    @Test
    void badRequestsGetTheirDocumented4xx() {
        String workflow = importWorkflow("inputs");
        admin().contentType(ContentType.JSON).body("{\"parameters\": {").post("/api/v1/r/workflows/" + workflow + "/run")
                .then().statusCode(400).body("error_code", equalTo("malformed_json"));
        admin().contentType(ContentType.TEXT).body("x").post("/api/v1/r/workflows/" + workflow + "/run")
                .then().statusCode(415).body("error_code", equalTo("unsupported_media_type"));
        admin().get("/api/v1/r/tasks?per_page=0").then().statusCode(400).body("details[0].field", equalTo("per_page"));
        admin().get("/api/v1/r/tasks?per_page=101").then().statusCode(400);
        admin().get("/api/v1/r/tasks?current_page=abc").then().statusCode(400).body("details[0].field", equalTo("current_page"));
        admin().get("/api/v1/r/tasks?status=done").then().statusCode(400).body("details[0].field", equalTo("status"));
        admin().get("/api/v1/r/tasks/" + UUID.randomUUID()).then().statusCode(404).body("error_message", equalTo("task not found"));
        admin().get("/api/v1/r/tasks/not-a-uuid").then().statusCode(404);
        admin().contentType(ContentType.JSON).body("{\"workflow_slug\":\"x\"}").post("/api/v1/workflows/import")
                .then().statusCode(400).body("details.field", hasItems("workflow_slug", "display_name", "workflow_json"));
    }

    @Test
    void aDisabledWorkflowRefusesRuns() {
        admin().contentType(ContentType.JSON).body(WORKFLOW.formatted("off").replace("\"max_retries\": 0", "\"max_retries\": 0, \"workflow_status\": \"disabled\""))
                .post("/api/v1/workflows/import").then().statusCode(200);
        as(team, Role.MEMBER, CredentialKind.USER).contentType(ContentType.JSON).body("{\"parameters\":{\"prompt\":\"x\"}}")
                .post("/api/v1/r/workflows/slug/off/run").then().statusCode(409)
                .body("error_code", equalTo("workflow_disabled")).body("error_message", containsString("disabled"));
    }

    @Test
    void anotherTeamsWorkflowsAndTasksReadAsNotFound() {
        String workflow = importWorkflow("private");
        String task = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"x\"}}");
        UUID other = UUID.randomUUID();
        as(other, Role.OWNER, CredentialKind.USER).get("/api/v1/r/workflows/" + workflow).then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).get("/api/v1/workflows/" + workflow).then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).get("/api/v1/r/workflows/slug/private").then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).contentType(ContentType.JSON).body("{}").post("/api/v1/r/workflows/" + workflow + "/run").then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).get("/api/v1/r/tasks/" + task).then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).get("/api/v1/r/tasks/" + task + "/result").then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).get("/api/v1/r/tasks/" + task + "/events").then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).post("/api/v1/r/tasks/" + task + "/cancel").then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).get("/api/v1/r/tasks").then().statusCode(200).body("page_meta.total_count", equalTo(0));
        admin().get("/api/v1/r/tasks/" + task).then().statusCode(200).body("status", equalTo("pending"));
    }

    @Test
    void rolesAndThePrincipalAreEnforced() {
        String workflow = importWorkflow("guarded");
        given().get("/api/v1/r/tasks").then().statusCode(401).body("error_code", equalTo("unauthenticated"));
        given().header(PrincipalTokens.HEADER, "forged.token.value").get("/api/v1/r/tasks").then().statusCode(401);
        as(team, Role.VIEWER, CredentialKind.USER).contentType(ContentType.JSON).body("{\"parameters\":{\"prompt\":\"x\"}}")
                .post("/api/v1/r/workflows/" + workflow + "/run").then().statusCode(403).body("error_message", containsString("role"));
        as(team, Role.MEMBER, CredentialKind.USER).contentType(ContentType.JSON).body(WORKFLOW.formatted("nope"))
                .post("/api/v1/workflows/import").then().statusCode(403);
    }

    @Test
    void transitionsFromKafkaMoveATaskToCompletedWithEveryEventNumbered() {
        String workflow = importWorkflow("lifecycle");
        String taskId = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"x\"}}");
        UUID task = UUID.fromString(taskId);
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Assign(task, team, "gpu-1", "hub-7", List.of("gpu", "exec"), "RTX 4090"));
        awaitStatus(taskId, "queued");
        TaskTransition.Start start = new TaskTransition.Start(task, team, "gpu-1", 1);
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, start);
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, start);
        awaitStatus(taskId, "running");
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Complete(task, team, "gpu-1", 1,
                List.of(new TaskOutputFile("a.png", "teams/" + team + "/tasks/" + task + "/outputs/a.png", 3, "image/png", "abc"))));
        awaitStatus(taskId, "completed");

        admin().get("/api/v1/r/tasks/" + taskId + "/events").then().statusCode(200)
                .body("last_seq", equalTo(4))
                .body("events.id", equalTo(List.of(1, 2, 3, 4)))
                .body("events.event", equalTo(List.of("status", "status", "status", "completed")))
                .body("events[3].data.output.files[0].name", equalTo("a.png"));
        admin().get("/api/v1/r/tasks/" + taskId + "/events?after=2").then().body("events.id", equalTo(List.of(3, 4)));
        admin().get("/api/v1/r/tasks/" + taskId).then().body("agent_id", equalTo("gpu-1")).body("gpu_type", equalTo("RTX 4090"))
                .body("gateway_id", equalTo("hub-7")).body("agent_labels", equalTo(List.of("gpu", "exec")))
                .body("started_at", notNullValue()).body("completed_at", notNullValue()).body("progress", equalTo(1.0f));
    }

    @Test
    void cancellingIsANoOpSuccessOnceTerminal() {
        String workflow = importWorkflow("cancel");
        String task = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"x\"}}");
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).post("/api/v1/r/tasks/" + task + "/cancel").then().statusCode(200).body(equalTo("true"));
        admin().get("/api/v1/r/tasks/" + task).then().body("status", equalTo("cancelled"));
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).post("/api/v1/r/tasks/" + task + "/cancel").then().statusCode(200).body(equalTo("true"));
        admin().get("/api/v1/r/tasks/" + task + "/events").then().body("events.event", equalTo(List.of("status", "cancelled")));
        admin().get("/api/v1/r/tasks/" + task + "/result").then().statusCode(200)
                .body("status", equalTo("cancelled")).body("task_output", nullValue()).body("download_url", nullValue());
        as(team, Role.VIEWER, CredentialKind.USER).post("/api/v1/r/tasks/" + task + "/cancel").then().statusCode(403);
    }

    @Test
    void anIdempotencyKeyReturnsTheSameTaskForTheSameRequestAndRefusesAnother() {
        String workflow = importWorkflow("idempotent");
        String path = "/api/v1/r/workflows/" + workflow + "/run";
        String key = "retry-" + UUID.randomUUID();
        String first = as(team, Role.MEMBER, CredentialKind.INTEGRATION).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body("{\"parameters\":{\"prompt\":\"x\",\"steps\":2}}").post(path).then().statusCode(202).extract().path("task_id");
        // The same request, its JSON keys in another order: the same task.
        String again = as(team, Role.MEMBER, CredentialKind.INTEGRATION).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body("{\"parameters\":{\"steps\":2,\"prompt\":\"x\"}}").post(path).then().statusCode(202).extract().path("task_id");
        assertThat(again).isEqualTo(first);
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body("{\"parameters\":{\"prompt\":\"y\"}}").post(path).then().statusCode(409).body("error_code", equalTo("conflict"));
        String other = as(team, Role.MEMBER, CredentialKind.INTEGRATION).header("Idempotency-Key", key + "-2").contentType(ContentType.JSON)
                .body("{\"parameters\":{\"prompt\":\"x\",\"steps\":2}}").post(path).then().statusCode(202).extract().path("task_id");
        assertThat(other).isNotEqualTo(first);
        // The key is the team's: another team may use the same one.
        as(UUID.randomUUID(), Role.OWNER, CredentialKind.USER).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body("{}").post(path).then().statusCode(404);
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).header("Idempotency-Key", "has space").contentType(ContentType.JSON)
                .body("{}").post(path).then().statusCode(400).body("details[0].field", equalTo("Idempotency-Key"));
        assertThat((int) admin().get("/api/v1/r/tasks?workflow_id=" + workflow).then().extract().path("page_meta.total_count")).isEqualTo(2);
    }

    @Test
    void aRerunIsANewTaskWithTheSameParametersAndWorkflowVersion() {
        String workflow = importWorkflow("again");
        String original = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"first\",\"steps\":3}}");
        admin().contentType(ContentType.JSON).body("{\"display_name\":\"Demo v2\"}").put("/api/v1/workflows/" + workflow).then().statusCode(200);
        String rerun = as(team, Role.MEMBER, CredentialKind.INTEGRATION).post("/api/v1/r/tasks/" + original + "/rerun")
                .then().statusCode(202).extract().path("task_id");
        assertThat(rerun).isNotEqualTo(original);
        admin().get("/api/v1/r/tasks/" + rerun).then().body("workflow_version", equalTo(1)).body("parameters.prompt", equalTo("first"))
                .body("parameters.steps", equalTo(3)).body("status", equalTo("pending"));
        as(UUID.randomUUID(), Role.OWNER, CredentialKind.USER).post("/api/v1/r/tasks/" + original + "/rerun").then().statusCode(404);
        as(team, Role.VIEWER, CredentialKind.USER).post("/api/v1/r/tasks/" + original + "/rerun").then().statusCode(403);
        admin().contentType(ContentType.JSON).body("{\"workflow_status\":\"disabled\"}").put("/api/v1/workflows/" + workflow).then().statusCode(200);
        admin().post("/api/v1/r/tasks/" + original + "/rerun").then().statusCode(409).body("error_code", equalTo("workflow_disabled"));
        admin().delete("/api/v1/workflows/" + workflow).then().statusCode(204);
        admin().post("/api/v1/r/tasks/" + original + "/rerun").then().statusCode(404).body("error_message", containsString("deleted"));
    }

    @Test
    void fileParametersMustBeUploadedInputsOfTheTeamWithAnAcceptedType() {
        admin().contentType(ContentType.JSON).body("""
                {"workflow_slug": "with-image", "display_name": "Img", "tool_type": "exec", "workflow_json": {"command": "x"},
                 "parameters": [{"key": "image", "type": "file", "required": true, "accept": ["image/*", ".webp"]}]}""")
                .post("/api/v1/workflows/import").then().statusCode(200);
        String inputs = "teams/" + team + "/inputs/" + UUID.randomUUID() + "/";
        run("/api/v1/r/workflows/slug/with-image/run", "{\"parameters\":{\"image\":\"" + inputs + "ok.png\"}}");
        for (String[] c : new String[][] {{"notyet.png", "never uploaded"}, {"doc.pdf", "accepts image/*, .webp"}, {"unknown.png", "not an input this team uploaded"}}) {
            as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON)
                    .body("{\"parameters\":{\"image\":\"" + inputs + c[0] + "\"}}").post("/api/v1/r/workflows/slug/with-image/run")
                    .then().statusCode(400).body("details[0].field", equalTo("parameters.image")).body("details[0].message", containsString(c[1]));
        }
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON)
                .body("{\"parameters\":{\"image\":\"teams/" + UUID.randomUUID() + "/inputs/x/ok.png\"}}").post("/api/v1/r/workflows/slug/with-image/run")
                .then().statusCode(400).body("details[0].message", containsString("not a file uploaded by this team"));
    }

    @Test
    void aPresignNamingAFileParameterIsCheckedAgainstItsAcceptListBeforeFileServiceIssuesTheUrl() {
        admin().contentType(ContentType.JSON).body("""
                {"workflow_slug": "with-photo", "display_name": "Img", "tool_type": "exec", "workflow_json": {"command": "x"},
                 "parameters": [{"key": "photo", "type": "file", "required": true, "accept": ["image/*"]},
                                {"key": "prompt", "type": "string"}]}""")
                .post("/api/v1/workflows/import").then().statusCode(200);
        RequestSpecification member = as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON);
        String file = "\"file_name\": \"a.png\", \"file_size\": 1, \"content_type\": \"image/png\"";
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON).body("{" + file + "}")
                .post("/api/v1/r/files/presign").then().statusCode(200).body("file_key", endsWith("/a.png")).body("upload_url", notNullValue());
        member.body("{" + file + ", \"workflow_slug\": \"with-photo\", \"parameter_key\": \"photo\"}")
                .post("/api/v1/r/files/presign").then().statusCode(200);
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON)
                .body("{\"file_name\": \"a.pdf\", \"file_size\": 1, \"content_type\": \"application/pdf\", \"workflow_slug\": \"with-photo\","
                        + " \"parameter_key\": \"photo\"}")
                .post("/api/v1/r/files/presign").then().statusCode(400).body("details[0].field", equalTo("content_type"));
        for (String[] c : new String[][] {{"\"workflow_slug\": \"with-photo\", \"parameter_key\": \"prompt\"", "parameter_key"},
                {"\"workflow_slug\": \"with-photo\", \"parameter_key\": \"nope\"", "parameter_key"},
                {"\"workflow_slug\": \"no-such\", \"parameter_key\": \"photo\"", "workflow_slug"},
                {"\"workflow_id\": \"" + UUID.randomUUID() + "\", \"parameter_key\": \"photo\"", "workflow_id"},
                {"\"parameter_key\": \"photo\"", "workflow_id"}, {"\"workflow_slug\": \"with-photo\"", "parameter_key"}}) {
            as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON).body("{" + file + ", " + c[0] + "}")
                    .post("/api/v1/r/files/presign").then().statusCode(400).body("details[0].field", equalTo(c[1]));
        }
        // Another team's workflow is no workflow of this team.
        as(UUID.randomUUID(), Role.OWNER, CredentialKind.USER).contentType(ContentType.JSON)
                .body("{" + file + ", \"workflow_slug\": \"with-photo\", \"parameter_key\": \"photo\"}")
                .post("/api/v1/r/files/presign").then().statusCode(400).body("details[0].field", equalTo("workflow_slug"));
        // file-service's own refusal reaches the caller as it was.
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON)
                .body("{\"file_name\": \"../a.png\", \"file_size\": 1, \"content_type\": \"image/png\"}")
                .post("/api/v1/r/files/presign").then().statusCode(400).body("details[0].field", equalTo("file_name"));
        as(team, Role.VIEWER, CredentialKind.USER).contentType(ContentType.JSON).body("{" + file + "}")
                .post("/api/v1/r/files/presign").then().statusCode(403);
    }

    @Test
    void aCompletedTasksResultCarriesAFreshLinkPerOutput() {
        String workflow = importWorkflow("outputs");
        String taskId = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"x\"}}");
        UUID task = UUID.fromString(taskId);
        admin().get("/api/v1/r/tasks/" + taskId + "/result").then().statusCode(200).body("status", equalTo("pending"))
                .body("download_url", nullValue()).body("task_error", nullValue());
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Assign(task, team, "gpu-1", null, List.of(), null));
        awaitStatus(taskId, "queued");
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Start(task, team, "gpu-1", 1));
        String prefix = "teams/" + team + "/tasks/" + task + "/outputs/";
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Complete(task, team, "gpu-1", 1, List.of(
                new TaskOutputFile("a.png", prefix + "a.png", 3, "image/png", "aa"), new TaskOutputFile("b.json", prefix + "b.json", 2, "application/json", "bb"))));
        awaitStatus(taskId, "completed");
        as(team, Role.VIEWER, CredentialKind.INTEGRATION).get("/api/v1/r/tasks/" + taskId + "/result").then().statusCode(200)
                .body("id", equalTo(taskId)).body("status", equalTo("completed"))
                .body("download_url", equalTo("http://store.test/" + prefix + "a.png?signed"))
                .body("download_urls.'b.json'", equalTo("http://store.test/" + prefix + "b.json?signed"))
                .body("task_output.storage_key", equalTo(prefix + "a.png")).body("task_output.image_count", equalTo(1))
                .body("expires_at", notNullValue()).body("completed_at", notNullValue()).body("task_error", nullValue());
    }

    @Test
    void aFailureAfterTheLastRetryShowsItsErrorAndLastLogLines() {
        String workflow = importWorkflow("fails");
        String taskId = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"x\"}}");
        UUID task = UUID.fromString(taskId);
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Assign(task, team, "gpu-1", null, List.of(), null));
        awaitStatus(taskId, "queued");
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Start(task, team, "gpu-1", 1));
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Fail(task, team, "gpu-1", 1, "CUDA out of memory", true,
                List.of(new io.cyberun.contracts.task.LogLine(java.time.Instant.now(), "stderr", "torch.OutOfMemoryError"))));
        awaitStatus(taskId, "failed");
        admin().get("/api/v1/r/tasks/" + taskId).then().body("task_error", equalTo("CUDA out of memory"))
                .body("last_logs[0].text", equalTo("torch.OutOfMemoryError")).body("retry_count", equalTo(0));
        admin().get("/api/v1/r/tasks/" + taskId + "/result").then().body("task_error", equalTo("CUDA out of memory")).body("task_output", nullValue());
        admin().get("/api/v1/r/tasks/" + taskId + "/events").then().body("events[-1].event", equalTo("failed"))
                .body("events[-1].data.error", equalTo("CUDA out of memory"));
    }

    @Test
    void tasksAreListedNewestFirstAndFilteredByStatusWorkflowAndTime() {
        String a = importWorkflow("list-a");
        String b = importWorkflow("list-b");
        java.time.Instant before = java.time.Instant.now().minusSeconds(1);
        String t1 = run("/api/v1/r/workflows/" + a + "/run", "{\"parameters\":{\"prompt\":\"1\"}}");
        String t2 = run("/api/v1/r/workflows/" + b + "/run", "{\"parameters\":{\"prompt\":\"2\"}}");
        String t3 = run("/api/v1/r/workflows/" + a + "/run", "{\"parameters\":{\"prompt\":\"3\"}}");
        as(team, Role.MEMBER, CredentialKind.USER).post("/api/v1/r/tasks/" + t3 + "/cancel").then().statusCode(200);
        admin().get("/api/v1/r/tasks?workflow_id=" + a).then().body("task_list.id", equalTo(List.of(t3, t1)));
        admin().get("/api/v1/r/tasks?status=cancelled").then().body("task_list.id", hasItems(t3)).body("task_list.status", org.hamcrest.Matchers.everyItem(equalTo("cancelled")));
        admin().get("/api/v1/r/tasks?workflow_id=" + a + "&per_page=1&current_page=2").then().body("task_list.id", equalTo(List.of(t1)))
                .body("page_meta.current_page", equalTo(2)).body("page_meta.per_page", equalTo(1)).body("page_meta.total_count", equalTo(2));
        admin().get("/api/v1/r/tasks?created_from=" + before + "&workflow_id=" + b).then().body("task_list.id", equalTo(List.of(t2)));
        admin().get("/api/v1/r/tasks?created_to=" + before + "&workflow_id=" + b).then().body("page_meta.total_count", equalTo(0));
        admin().get("/api/v1/r/tasks?created_from=yesterday").then().statusCode(400).body("details[0].field", equalTo("created_from"));
        admin().get("/api/v1/r/tasks?workflow_id=nope").then().statusCode(400).body("details[0].field", equalTo("workflow_id"));
    }

    @Test
    void anAttemptRunningPastItsTimeoutIsRetriedThenFails() {
        admin().contentType(ContentType.JSON).body(WORKFLOW.formatted("slow").replace("\"max_retries\": 0", "\"max_retries\": 1, \"task_timeout\": 1"))
                .post("/api/v1/workflows/import").then().statusCode(200);
        String taskId = run("/api/v1/r/workflows/slug/slow/run", "{\"parameters\":{\"prompt\":\"x\"}}");
        UUID task = UUID.fromString(taskId);
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Assign(task, team, "gpu-1", null, List.of(), null));
        awaitStatus(taskId, "queued");
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Start(task, team, "gpu-1", 1));
        awaitStatus(taskId, "running");
        // The timeout counts from the acknowledgement; the sweeper runs every 5 s.
        awaitStatus(taskId, "pending");
        admin().get("/api/v1/r/tasks/" + taskId).then().body("retry_count", equalTo(1));
        // The retry backs off (2 s, plus up to a fifth), and the task's log says so.
        var retrying = admin().get("/api/v1/r/tasks/" + taskId + "/events").then().statusCode(200).extract().jsonPath();
        java.util.Map<String, Object> pending = retrying.getMap("events.find { it.event == 'status' && it.data.retry_at != null }.data");
        long backoff = java.time.Duration.between(java.time.Instant.parse((String) pending.get("timestamp")),
                java.time.Instant.parse((String) pending.get("retry_at"))).toMillis();
        assertThat(backoff).isBetween(2_000L, 2_400L);
        assertThat(retrying.getString("events.find { it.event == 'log' }.data.lines[0].stream")).isEqualTo("cyberun");
        assertThat(retrying.getString("events.find { it.event == 'log' }.data.lines[0].text"))
                .matches("retry 1 of 1 in 2 s: attempt 1 on agent gpu-1 failed: task timed out after 1 s");
        admin().get("/api/v1/r/tasks/" + taskId).then().body("last_logs[-1].text", org.hamcrest.Matchers.startsWith("retry 1 of 1 in 2 s"));
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Assign(task, team, "gpu-2", null, List.of(), null));
        awaitStatus(taskId, "queued");
        kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, new TaskTransition.Start(task, team, "gpu-2", 2));
        awaitStatus(taskId, "failed");
        admin().get("/api/v1/r/tasks/" + taskId).then().body("task_error", equalTo("task timed out after 1 s")).body("attempt", equalTo(2));
    }

    @Test
    void aBodyOverTheLimitIsRefused() {
        String workflow = importWorkflow("big");
        admin().contentType(ContentType.JSON).body("{\"parameters\":{\"prompt\":\"" + "x".repeat(2_200_000) + "\"}}")
                .post("/api/v1/r/workflows/" + workflow + "/run").then().statusCode(413);
    }

    @Test
    void anUnreadableTransitionGoesToTheDeadLetterTopic() {
        var dlq = kafka.readerOfDeadLetters(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY);
        kafka.publishRaw(Topic.TASK_TRANSITIONS, "k", "this is not a cloud event");
        await().atMost(Duration.ofSeconds(30)).until(() -> dlq.raw(Duration.ofMillis(200)).contains("this is not a cloud event"));
    }

    @Test
    void changesListTheTeamsTasksWhoseStateChangedAfterAMomentOldestFirstAndNothingOfAnotherTeam() {
        String workflow = importWorkflow("changes");
        String before = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"x\"}}");
        long mark = admin().get("/api/v1/r/tasks/changes?since=0").then().statusCode(200)
                .body("changes.task.id", hasItem(before)).extract().jsonPath().getLong("changes[-1].changed_at_ms");
        String cancelled = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"y\"}}");
        String created = run("/api/v1/r/workflows/" + workflow + "/run", "{\"parameters\":{\"prompt\":\"z\"}}");
        as(team, Role.MEMBER, CredentialKind.INTEGRATION).post("/api/v1/r/tasks/" + cancelled + "/cancel").then().statusCode(200);
        UUID otherTeam = UUID.randomUUID();
        String otherWorkflow = as(otherTeam, Role.ADMIN, CredentialKind.USER).contentType(ContentType.JSON).body(WORKFLOW.formatted("changes"))
                .post("/api/v1/workflows/import").then().statusCode(200).extract().path("id");
        String foreign = as(otherTeam, Role.MEMBER, CredentialKind.INTEGRATION).contentType(ContentType.JSON)
                .body("{\"parameters\":{\"prompt\":\"x\"}}").post("/api/v1/r/workflows/" + otherWorkflow + "/run")
                .then().statusCode(202).extract().path("task_id");

        var changes = as(team, Role.VIEWER, CredentialKind.USER).get("/api/v1/r/tasks/changes?since=" + mark).then().statusCode(200)
                .body("more", equalTo(false)).extract().jsonPath();
        List<String> ids = changes.getList("changes.task.id");
        assertThat(ids).containsExactly(created, cancelled).doesNotContain(before, foreign);
        assertThat(changes.getString("changes[1].task.status")).isEqualTo("cancelled");
        assertThat(changes.getInt("changes[1].seq")).isEqualTo(2);
        assertThat(changes.getLong("changes[1].changed_at_ms")).isGreaterThanOrEqualTo(changes.getLong("changes[0].changed_at_ms"));
        admin().get("/api/v1/r/tasks/changes?since=" + mark + "&limit=1").then().statusCode(200)
                .body("changes.task.id", equalTo(List.of(created))).body("more", equalTo(true));

        admin().get("/api/v1/r/tasks/changes").then().statusCode(400).body("details[0].field", equalTo("since"));
        admin().get("/api/v1/r/tasks/changes?since=yesterday").then().statusCode(400).body("error_code", equalTo("validation_failed"));
        admin().get("/api/v1/r/tasks/changes?since=0&limit=0").then().statusCode(400).body("details[0].field", equalTo("limit"));
    }

    void awaitStatus(String task, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                status.equals(admin().get("/api/v1/r/tasks/" + task).then().extract().path("status")));
        assertThat(TaskStatus.fromWire(status)).isNotNull();
    }
}
