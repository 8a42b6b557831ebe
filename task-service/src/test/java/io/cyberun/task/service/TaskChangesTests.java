package io.cyberun.task.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.notNullValue;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.task.FileServiceStub;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The batched writer of task state against the real database: a batch read again from the same Kafka offsets (after a
 * crash or a rebalance) changes nothing, not even by adding progress events; and the open tasks services rebuild from.
 */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = @ResourceArg(name = "database", value = "task"))
@QuarkusTestResource(FileServiceStub.class)
class TaskChangesTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    final UUID team = UUID.randomUUID();
    @Inject
    TaskChanges changes;
    @Inject
    Pool pool;

    RequestSpecification as(Principal principal) {
        return given().header(PrincipalTokens.HEADER, CTX.token(principal));
    }

    RequestSpecification admin() {
        return as(new Principal("admin", team, Role.ADMIN, CredentialKind.USER, null));
    }

    UUID submit(String slug) {
        return UUID.fromString(admin().contentType(ContentType.JSON).body("{}").post("/api/v1/r/workflows/slug/" + slug + "/run")
                .then().statusCode(202).body("task_id", notNullValue()).extract().path("task_id"));
    }

    void importWorkflow(String slug) {
        admin().contentType(ContentType.JSON).body("""
                {"workflow_slug": "%s", "display_name": "Batch", "tool_type": "exec", "workflow_json": {"command": "x"}}""".formatted(slug))
                .post("/api/v1/workflows/import").then().statusCode(200);
    }

    JsonPath events(UUID task) {
        return admin().get("/api/v1/r/tasks/" + task + "/events?after=0").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aBatchReadAgainFromTheSameOffsetsChangesNothing() {
        importWorkflow("batch");
        UUID task = submit("batch");
        String topic = "test-" + UUID.randomUUID();
        List<TaskChanges.Inbound> batch = new ArrayList<>();
        batch.add(new TaskChanges.Inbound(topic, 0, 10, new TaskChanges.Transition(new TaskTransition.Start(task, team, "gpu-1", 1))));
        for (int i = 1; i <= 3; i++) {
            batch.add(new TaskChanges.Inbound(topic, 1, 20 + i, new TaskChanges.Report(new ProgressReport.Progress(task, team, "gpu-1", 1,
                    Instant.now(), new ProgressInfo(i / 10.0, null, i, 10, null, "step " + i)))));
        }
        changes.applyBatch("test-group", batch).await().atMost(Duration.ofSeconds(20));
        // submitted, queued and running (the acknowledgement implies the assignment), three progress events.
        assertThat(events(task).getList("events.id", Integer.class)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(events(task).getList("events.event", String.class)).containsExactly("status", "status", "status", "progress", "progress",
                "progress");

        changes.applyBatch("test-group", batch).await().atMost(Duration.ofSeconds(20));
        assertThat(events(task).getList("events.id", Integer.class)).as("the same offsets again").containsExactly(1, 2, 3, 4, 5, 6);

        // A record past the stored offsets applies; the ones before it in the same batch do not.
        List<TaskChanges.Inbound> next = new ArrayList<>(batch);
        next.add(new TaskChanges.Inbound(topic, 1, 24, new TaskChanges.Report(new ProgressReport.Progress(task, team, "gpu-1", 1,
                Instant.now(), new ProgressInfo(0.4, null, 4, 10, null, "step 4")))));
        changes.applyBatch("test-group", next).await().atMost(Duration.ofSeconds(20));
        assertThat(events(task).getList("events.id", Integer.class)).containsExactly(1, 2, 3, 4, 5, 6, 7);
        // Another group has its own offsets.
        changes.applyBatch("other-group", List.of(next.get(next.size() - 1))).await().atMost(Duration.ofSeconds(20));
        assertThat(events(task).getList("events.id", Integer.class)).hasSize(8);
    }

    @Test
    void aPreviewOfTheRunningAttemptIsNumberedIntoTheTasksEventsAndOneOfAnotherAttemptIsNot() {
        importWorkflow("preview");
        UUID task = submit("preview");
        String topic = "test-" + UUID.randomUUID();
        var info = new io.cyberun.contracts.task.PreviewInfo(UUID.randomUUID().toString(), "image/png", 1234, "3");
        changes.applyBatch("test-group", List.of(
                new TaskChanges.Inbound(topic, 0, 1, new TaskChanges.Transition(new TaskTransition.Start(task, team, "gpu-1", 1))),
                new TaskChanges.Inbound(topic, 1, 1, new TaskChanges.Report(new ProgressReport.Preview(task, team, "gpu-1", 2, Instant.now(),
                        new io.cyberun.contracts.task.PreviewInfo("stale", "image/png", 1, null)))),
                new TaskChanges.Inbound(topic, 1, 2, new TaskChanges.Report(new ProgressReport.Preview(task, team, "gpu-1", 1, Instant.now(), info)))))
                .await().atMost(Duration.ofSeconds(20));
        JsonPath events = events(task);
        assertThat(events.getList("events.event", String.class)).containsExactly("status", "status", "status", "preview");
        assertThat(events.getString("events[3].data.preview_id")).isEqualTo(info.previewId());
        assertThat(events.getString("events[3].data.content_type")).isEqualTo("image/png");
        assertThat(events.getInt("events[3].data.size")).isEqualTo(1234);
        assertThat(events.getString("events[3].data.node_id")).isEqualTo("3");
        assertThat(events.getString("events[3].data.url")).isEqualTo("/api/v1/r/tasks/" + task + "/preview?v=" + info.previewId());
    }

    @Test
    void whatTheSchedulerSaysAboutItsChoiceGoesToTheTasksLog() {
        importWorkflow("noted");
        UUID task = submit("noted");
        String topic = "test-" + UUID.randomUUID();
        changes.applyBatch("test-group", List.of(new TaskChanges.Inbound(topic, 0, 1, new TaskChanges.Transition(new TaskTransition.Assign(task,
                        team, "a100", "hub-1", List.of("gpu"), "NVIDIA A100", false, 1,
                        "no eligible agent with the preferred GPU RTX 4090 was free; placed on agent a100 (NVIDIA A100)")))))
                .await().atMost(Duration.ofSeconds(20));
        JsonPath events = events(task);
        assertThat(events.getList("events.event", String.class)).containsExactly("status", "status", "log");
        assertThat(events.getString("events[2].data.lines[0].stream")).isEqualTo("cyberun");
        assertThat(events.getString("events[2].data.lines[0].text")).startsWith("no eligible agent with the preferred GPU RTX 4090");
    }

    @Test
    void servicesReadEveryOpenTaskInIdOrderPageByPageAndNobodyElseDoes() {
        importWorkflow("open");
        List<UUID> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(submit("open"));
        }
        UUID done = submitted.remove(0);
        admin().post("/api/v1/r/tasks/" + done + "/cancel").then().statusCode(200);

        RequestSpecification service = as(Principal.service("scheduler-service"));
        List<UUID> seen = new ArrayList<>();
        String after = null;
        do {
            JsonPath page = (after == null ? service.get("/internal/v1/tasks/open?limit=2")
                    : as(Principal.service("scheduler-service")).get("/internal/v1/tasks/open?limit=2&after=" + after))
                    .then().statusCode(200).extract().jsonPath();
            List<String> ids = page.getList("tasks.task_id", String.class);
            ids.forEach(id -> seen.add(UUID.fromString(id)));
            assertThat(ids.size()).isLessThanOrEqualTo(2);
            after = page.getString("next");
            service = as(Principal.service("scheduler-service"));
        } while (after != null);
        assertThat(seen).containsAll(submitted).doesNotContain(done);
        assertThat(seen).isSortedAccordingTo((a, b) -> a.toString().compareTo(b.toString()));

        admin().get("/internal/v1/tasks/open").then().statusCode(403);
        given().get("/internal/v1/tasks/open").then().statusCode(401);
        as(Principal.service("scheduler-service")).get("/internal/v1/tasks/open?limit=0").then().statusCode(400);
    }

    /**
     * The service's connections plan each run of a statement with its parameters. PostgreSQL otherwise keeps a generic
     * plan per connection after five runs; one made while a table was small (a fresh install) reads the whole table on
     * every run once it has grown, until an ANALYZE, which never comes with autovacuum off (docs/benchmarks.md, "Plans
     * cached on a small table": the batch's task lock and update read all 20,000 tasks each time).
     */
    @Test
    void theServicesConnectionsPlanEveryRunWithItsParameters() {
        String mode = pool.withConnection(conn -> conn.query("show plan_cache_mode").execute())
                .map(rows -> rows.iterator().next().getString(0)).await().atMost(Duration.ofSeconds(10));
        assertThat(mode).isEqualTo("force_custom_plan");
    }
}
