package io.cyberun.task.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.FileServiceStub;
import io.cyberun.task.model.TaskRow;
import io.cyberun.task.repository.NewTasks.NewTaskWithEvent;
import io.cyberun.task.repository.NewTasks;
import io.cyberun.task.repository.TaskStore;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The group commit of new tasks against the real database: runs that arrive together share statements and every one
 * of them is stored with its submitted event; a run PostgreSQL refuses fails alone, its neighbours are stored.
 */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = @ResourceArg(name = "database", value = "task"))
@QuarkusTestResource(FileServiceStub.class)
class NewTaskWriterTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    final UUID team = UUID.randomUUID();
    @Inject
    NewTaskWriter writer;
    @Inject
    Pool pool;
    @Inject
    MeterRegistry metrics;

    RequestSpecification admin() {
        return given().header(PrincipalTokens.HEADER, CTX.token(new Principal("admin", team, Role.ADMIN, CredentialKind.USER, null)));
    }

    double statements() {
        var summary = metrics.find("cyberun.task.submit.batch").summary();
        return summary == null ? 0 : summary.count(); // registered when the writer is first used
    }

    @Test
    void runsSubmittedTogetherShareStatementsAndEveryOneIsStoredWithItsEvent() throws Exception {
        admin().contentType(ContentType.JSON).body("""
                {"workflow_slug": "group", "display_name": "Group", "tool_type": "exec", "workflow_json": {"command": "x"}}""")
                .post("/api/v1/workflows/import").then().statusCode(200);
        int runs = 60;
        double before = statements();
        ExecutorService clients = Executors.newFixedThreadPool(12);
        List<Future<String>> submitted = new ArrayList<>();
        try {
            for (int i = 0; i < runs; i++) {
                submitted.add(clients.submit(() -> admin().contentType(ContentType.JSON).body("{}")
                        .post("/api/v1/r/workflows/slug/group/run").then().statusCode(202).extract().<String>path("task_id")));
            }
            List<UUID> ids = new ArrayList<>();
            for (Future<String> f : submitted) {
                ids.add(UUID.fromString(f.get(60, TimeUnit.SECONDS)));
            }
            for (UUID id : ids) {
                admin().get("/api/v1/r/tasks/" + id).then().statusCode(200);
                assertThat(admin().get("/api/v1/r/tasks/" + id + "/events?after=0").then().statusCode(200).extract().jsonPath()
                        .getList("events.id", Integer.class)).startsWith(1);
            }
        } finally {
            clients.shutdownNow();
        }
        // Twelve clients at once: while one statement is in flight the next runs wait and go together.
        assertThat(statements() - before).isLessThan(runs);
    }

    @Test
    void aRunPostgreSQLRefusesFailsAloneAndItsNeighboursAreStored() throws Exception {
        NewTaskWithEvent first = newTask(UUID.randomUUID());
        writer.write(first).await().atMost(Duration.ofSeconds(20));
        // Written together with nine good runs: one reuses the stored task's id (a primary key violation).
        List<NewTaskWithEvent> group = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            group.add(i == 4 ? newTask(first.task().row().id) : newTask(UUID.randomUUID()));
        }
        double before = statements();
        List<CompletableFuture<Void>> written = group.stream().map(t -> writer.write(t).subscribeAsCompletionStage()).toList();
        for (int i = 0; i < group.size(); i++) {
            if (i == 4) {
                CompletableFuture<Void> refused = written.get(i);
                assertThatThrownBy(() -> refused.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(PgException.class);
            } else {
                written.get(i).get(20, TimeUnit.SECONDS);
            }
        }
        // They did share a statement (the refused one's neighbours were retried alone, outside the count).
        assertThat(statements() - before).isLessThan(group.size());
        List<UUID> good = group.stream().map(t -> t.task().row().id).filter(id -> !id.equals(first.task().row().id)).toList();
        long stored = pool.preparedQuery("select count(*) from task t join task_event e on e.task_id = t.id"
                        + " join task_event_outbox o on o.position = e.position where t.id = any($1)")
                .execute(Tuple.of(good.toArray(new UUID[0]))).await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
        assertThat(stored).isEqualTo(9);
        // These made-up events are not for the relay's sweep to publish.
        List<UUID> all = new ArrayList<>(good);
        all.add(first.task().row().id);
        pool.preparedQuery("delete from task_event_outbox o using task_event e where o.position = e.position and e.task_id = any($1)")
                .execute(Tuple.of(all.toArray(new UUID[0]))).await().atMost(Duration.ofSeconds(10));
    }

    NewTaskWithEvent newTask(UUID id) {
        Instant now = Instant.now();
        TaskRow row = new TaskRow();
        row.id = id;
        row.teamId = team;
        row.workflowId = UUID.randomUUID();
        row.status = TaskStatus.PENDING;
        row.seq = 1;
        row.lastLogs = "[]";
        row.updatedAt = now;
        NewTasks.NewTask task = new NewTasks.NewTask(row, 1, "made-up", "exec", "{}", "{}", "agent", "team", null, now);
        return new NewTaskWithEvent(task, new TaskStore.EventRow(UUID.randomUUID(), id, team, 1, "io.cyberun.task.submitted", "{}", now));
    }
}
