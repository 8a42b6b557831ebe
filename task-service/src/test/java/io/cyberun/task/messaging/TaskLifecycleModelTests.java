package io.cyberun.task.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.Topic;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.FileServiceStub;
import io.cyberun.task.domain.Decision;
import io.cyberun.task.domain.TaskCommand;
import io.cyberun.task.domain.TaskLifecycle;
import io.cyberun.task.domain.TaskState;
import io.cyberun.task.domain.TaskStateMachine;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.KafkaProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model-based test of the real service: random transition sequences (duplicates included) go through Kafka to
 * task-service, and the event log it writes must match the pure state machine run on the same sequence: the same
 * final state, one event per accepted change numbered without a gap, only legal edges.
 */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = @ResourceArg(name = "database", value = "task"))
@QuarkusTestResource(FileServiceStub.class)
class TaskLifecycleModelTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    static final String[] AGENTS = {"gpu-a", "gpu-b"};
    static KafkaProbe kafka;
    final UUID team = UUID.randomUUID();

    @BeforeAll
    static void kafka() {
        kafka = new KafkaProbe(CTX.namespace());
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    RequestSpecification admin() {
        return given().header(PrincipalTokens.HEADER, CTX.token(new Principal("model", team, Role.ADMIN, CredentialKind.USER, null)));
    }

    @Test
    void randomTransitionSequencesLeaveTheLogTheModelPredicts() {
        admin().contentType(ContentType.JSON).body("""
                {"workflow_slug": "model", "display_name": "Model", "tool_type": "exec", "workflow_json": {"command": "x"},
                 "max_retries": 1}""").post("/api/v1/workflows/import").then().statusCode(200);
        for (long seed = 1; seed <= 12; seed++) {
            check(seed);
        }
    }

    void check(long seed) {
        Random random = new Random(seed);
        UUID task = UUID.fromString(admin().contentType(ContentType.JSON).body("{}").post("/api/v1/r/workflows/slug/model/run")
                .then().statusCode(202).extract().path("task_id"));
        List<TaskTransition> sequence = new ArrayList<>();
        int length = 4 + random.nextInt(10);
        for (int i = 0; i < length; i++) {
            TaskTransition t = randomTransition(random, task);
            sequence.add(t);
            if (random.nextInt(4) == 0) {
                sequence.add(t);
            }
        }
        TaskState model = TaskState.submitted(1);
        long expectedEvents = 1;
        for (TaskTransition t : sequence) {
            // One event per step: a report about the next attempt also records the assignment (and start) it implies.
            for (Decision.Accepted step : TaskStateMachine.steps(model, command(t))) {
                TaskState before = model;
                model = step.next();
                expectedEvents++;
                if (writesALogLine(before, step)) {
                    expectedEvents++;
                }
            }
        }
        sequence.forEach(t -> kafka.publish(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY, t));
        long expected = expectedEvents;
        String context = "seed " + seed + ": " + sequence;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(events(task).getLong("last_seq")).as(context).isEqualTo(expected));
        // Ignored requests after the last accepted one must not add events either.
        await().pollDelay(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(events(task).getLong("last_seq")).as(context).isEqualTo(expected));

        JsonPath log = events(task);
        List<Integer> ids = log.getList("events.id", Integer.class);
        assertThat(ids).as(context).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, (int) expected).boxed().toList());
        List<String> statuses = log.getList("events.data.status", String.class);
        for (int i = 1; i < statuses.size(); i++) {
            TaskStatus from = TaskStatus.fromWire(statuses.get(i - 1));
            TaskStatus to = TaskStatus.fromWire(statuses.get(i));
            assertThat(from == to || TaskLifecycle.legal(from, to)).as("%s: %s -> %s", context, from, to).isTrue();
        }
        assertThat(log.getString("status")).as(context).isEqualTo(model.status().wireName());
        JsonPath detail = admin().get("/api/v1/r/tasks/" + task).then().extract().jsonPath();
        assertThat(detail.getInt("attempt")).as(context).isEqualTo(model.attempt());
        assertThat(detail.getInt("retry_count")).as(context).isEqualTo(model.retryCount());
    }

    /**
     * Whether task-service also writes a line to the task's log for this step (a log event): a retry, or a dispatch
     * that went back to the queue before its agent ran it.
     */
    static boolean writesALogLine(TaskState before, Decision.Accepted step) {
        return step.next().status() == TaskStatus.PENDING && (step.outcome() == Decision.Outcome.RETRYING
                || before.status() == TaskStatus.QUEUED || before.status() == TaskStatus.PROVISIONING);
    }

    JsonPath events(UUID task) {
        return admin().get("/api/v1/r/tasks/" + task + "/events").then().statusCode(200).extract().jsonPath();
    }

    TaskTransition randomTransition(Random r, UUID task) {
        String agent = AGENTS[r.nextInt(AGENTS.length)];
        int attempt = r.nextInt(3);
        return switch (r.nextInt(6)) {
            case 0 -> new TaskTransition.MarkWaiting(task, team, "no agent");
            case 1, 2 -> new TaskTransition.Assign(task, team, agent, "hub", List.of(), null, false, r.nextInt(3));
            case 3 -> new TaskTransition.Start(task, team, agent, attempt);
            case 4 -> r.nextBoolean() ? new TaskTransition.Complete(task, team, agent, attempt, List.of())
                    : new TaskTransition.Requeue(task, team, agent, attempt, "no ack");
            default -> new TaskTransition.Fail(task, team, agent, attempt, "boom", r.nextBoolean(), List.of());
        };
    }

    /** The command TaskService makes of a transition request. */
    static TaskCommand command(TaskTransition t) {
        return switch (t) {
            case TaskTransition.MarkWaiting w -> new TaskCommand.MarkWaiting(w.reason());
            case TaskTransition.Assign a -> new TaskCommand.Assign(a.agentId(), a.provision(), a.attempt());
            case TaskTransition.Start s -> new TaskCommand.Start(s.agentId(), s.attempt());
            case TaskTransition.Complete c -> new TaskCommand.Complete(c.agentId(), c.attempt(), c.outputs());
            case TaskTransition.Fail f -> new TaskCommand.Fail(f.agentId(), f.attempt(), f.error(), f.retryable(), f.lastLogs());
            case TaskTransition.Requeue q -> new TaskCommand.Requeue(q.agentId(), q.attempt(), q.reason());
        };
    }
}
