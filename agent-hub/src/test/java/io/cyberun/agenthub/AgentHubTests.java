package io.cyberun.agenthub;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import io.cyberun.agenthub.connection.AgentConnections;
import io.cyberun.agenthub.connection.AgentSession;
import io.cyberun.agenthub.security.AgentKeys;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.Topic;
import io.cyberun.contracts.agent.AgentLiveness;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.auth.AgentKeyDirectory;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.AgentProtocol;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.LogLine;
import io.cyberun.contracts.task.PreviewInfo;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskOutputFile;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.KafkaProbe;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(CyberunTestResource.class)
@QuarkusTestResource(AgentKeysFixture.class)
class AgentHubTests {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final CyberunTestContext CTX = CyberunTestContext.get();
    static KafkaProbe kafka;

    @TestHTTPResource("/")
    URL base;
    @Inject
    RedisDataSource redis;
    @Inject
    AgentConnections connections;
    @Inject
    AgentKeys agentKeys;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaProbe(CTX.namespace());
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    TestAgent hello(String agentId, int capacity, RunningTask... running) throws Exception {
        TestAgent agent = TestAgent.connect(base.getPort(), AgentKeysFixture.KEY);
        agent.send(new AgentMessage.Hello(AgentProtocol.VERSION, agentId, List.of("gpu", "exec"), "0.1.0", "exec", null, capacity, null,
                List.of(running)));
        agent.await(HubMessage.Welcome.class);
        return agent;
    }

    /** The session the scheduler sees as alive for the agent, or null. */
    String liveSession(String agentId) {
        return redis.value(String.class).get(AgentLiveness.key(CTX.namespace().redisPrefix(), AgentKeysFixture.TEAM, agentId));
    }

    HubMessage.Dispatch dispatch(TestAgent agent, String agentId, UUID task, int attempt) throws Exception {
        publishDispatch(agentId, task, attempt);
        return agent.await(HubMessage.Dispatch.class);
    }

    void publishDispatch(String agentId, UUID task, int attempt) {
        kafka.publish(Topic.AGENT_COMMANDS, AgentCommand.FAMILY, new AgentCommand.Dispatch(AgentKeysFixture.TEAM, agentId, task, attempt,
                new TaskSpec(UUID.randomUUID(), "w", 1, "exec", null, null, List.of(), List.of(), null, List.of(), 0, 0, 0)));
    }

    static int handshakeStatus(Throwable e) {
        return refusal(e).statusCode();
    }

    static String handshakeHeader(Throwable e, String name) {
        return refusal(e).headers().firstValue(name).orElse(null);
    }

    /** The hub's answer to a refused upgrade, wherever the exception chain carries it. */
    private static java.net.http.HttpResponse<?> refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WebSocketHandshakeException refused) {
                return refused.getResponse();
            }
        }
        throw new AssertionError("not a refused handshake", e);
    }

    @Test
    void theUpgradeIsRefusedWithoutAnAgentKey() {
        for (String key : new String[] {null, "sk-notanagentkey000000000000000000000", "ak-unknown000000000000000000000000000000"}) {
            assertThatThrownBy(() -> TestAgent.connect(base.getPort(), key)).as(String.valueOf(key))
                    .satisfies(e -> assertThat(handshakeStatus(e)).isEqualTo(401));
        }
    }

    @Test
    void anAgentKeyCountsOnlyAsTheGatewaysDirectorySaysAndAnUnreadyDirectoryAsksTheAgentToComeBack() throws Exception {
        String revoked = "ak-hubtestrevoked000000000000000000000000000";
        String expired = "ak-hubtestexpired000000000000000000000000000";
        UUID revokedId = UUID.randomUUID();
        UUID expiredId = UUID.randomUUID();
        UUID unknownId = UUID.randomUUID();
        AgentKeysFixture.publish(revoked, AgentKeyDirectory.Entry.active(revokedId, AgentKeysFixture.TEAM, null));
        TestAgent.connect(base.getPort(), revoked).close();
        AgentKeysFixture.publish(revoked, AgentKeyDirectory.Entry.tombstone(revokedId));
        AgentKeysFixture.publish(expired, AgentKeyDirectory.Entry.active(expiredId, AgentKeysFixture.TEAM, Instant.now().minusSeconds(1)));
        for (String key : new String[] {revoked, expired}) {
            assertThatThrownBy(() -> TestAgent.connect(base.getPort(), key)).as(key).satisfies(e -> assertThat(handshakeStatus(e)).isEqualTo(401));
        }
        assertThat(agentKeys.inactive(List.of(AgentKeysFixture.CREDENTIAL, revokedId, expiredId, unknownId)).await().atMost(WAIT))
                .containsExactlyInAnyOrder(revokedId, expiredId, unknownId);

        // Redis restarted empty and no gateway has published the keys again: nothing can be told, so nothing is refused for good.
        AgentKeysFixture.ready(false);
        try {
            assertThatThrownBy(() -> TestAgent.connect(base.getPort(), "ak-hubtestnotyetknown00000000000000000000000")).satisfies(e -> {
                assertThat(handshakeStatus(e)).isEqualTo(503);
                assertThat(handshakeHeader(e, "Retry-After")).isEqualTo("5");
            });
            TestAgent.connect(base.getPort(), AgentKeysFixture.KEY).close();
            assertThat(agentKeys.inactive(List.of(revokedId, unknownId)).await().atMost(WAIT)).isEmpty();
        } finally {
            AgentKeysFixture.ready(true);
        }
    }

    @Test
    void anAgentThatSaysHelloIsWelcomedAnnouncedAndListedForItsOwnTeamOnly() throws Exception {
        var events = kafka.reader(Topic.AGENT_EVENTS, AgentEvent.FAMILY);
        try (TestAgent agent = hello("listed-1", 2)) {
            var connected = events.await(AgentEvent.Connected.class, c -> c.agentId().equals("listed-1"), WAIT);
            assertThat(connected.teamId()).isEqualTo(AgentKeysFixture.TEAM);
            assertThat(connected.labels()).containsExactly("gpu", "exec");
            assertThat(connected.gpuCapacity()).isEqualTo(2);
            assertThat(liveSession("listed-1")).isEqualTo(connected.sessionId());
            given().header(PrincipalTokens.HEADER, CTX.userToken(AgentKeysFixture.TEAM, Role.VIEWER)).get("/api/v1/r/agents")
                    .then().statusCode(200)
                    .body("agent_list.find { it.agent_id == 'listed-1' }.agent_status", equalTo("idle"))
                    .body("agent_list.find { it.agent_id == 'listed-1' }.gpu_capacity", equalTo(2))
                    .body("agent_list.find { it.agent_id == 'listed-1' }.gateway_id", equalTo("hub-test"));
            given().header(PrincipalTokens.HEADER, CTX.userToken(AgentKeysFixture.OTHER_TEAM, Role.OWNER)).get("/api/v1/agents")
                    .then().statusCode(200).body("agent_list", hasSize(0)).body("page_meta.total_count", equalTo(0));
            given().get("/api/v1/agents").then().statusCode(401);
            given().header(PrincipalTokens.HEADER, CTX.userToken(AgentKeysFixture.TEAM, Role.VIEWER)).get("/api/v1/r/agents?per_page=1&current_page=2")
                    .then().statusCode(200).body("agent_list.size()", lessThanOrEqualTo(1)).body("page_meta.current_page", equalTo(2))
                    .body("page_meta.per_page", equalTo(1));
            given().header(PrincipalTokens.HEADER, CTX.userToken(AgentKeysFixture.TEAM, Role.VIEWER)).get("/api/v1/agents?per_page=0&current_page=x")
                    .then().statusCode(400).body("error_code", equalTo("validation_failed"))
                    .body("details.field", equalTo(List.of("current_page", "per_page")));
        }
    }

    @Test
    void aDispatchReachesTheAgentAndItsReportsBecomeTransitionsAndProgress() throws Exception {
        var transitions = kafka.reader(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY);
        var progress = kafka.reader(Topic.TASK_PROGRESS, ProgressReport.FAMILY);
        UUID task = UUID.randomUUID();
        try (TestAgent agent = hello("runner-1", 1)) {
            HubMessage.Dispatch d = dispatch(agent, "runner-1", task, 1);
            assertThat(d.taskId()).isEqualTo(task);
            agent.send(new AgentMessage.TaskAccepted(task, 1));
            var start = transitions.await(TaskTransition.Start.class, s -> s.taskId().equals(task), WAIT);
            assertThat(start.agentId()).isEqualTo("runner-1");
            assertThat(start.teamId()).isEqualTo(AgentKeysFixture.TEAM);

            agent.send(new AgentMessage.TaskProgress(task, 1, new ProgressInfo(0.5, "3", 5, 10, null, null)));
            agent.send(new AgentMessage.TaskLog(task, 1, List.of(new LogLine(Instant.now(), "stdout", "step 5"))));
            assertThat(progress.await(ProgressReport.Progress.class, p -> p.taskId().equals(task), WAIT).progress().stepCurrent()).isEqualTo(5);
            assertThat(progress.await(ProgressReport.Logs.class, p -> p.taskId().equals(task), WAIT).lines()).hasSize(1);

            String key = "teams/" + AgentKeysFixture.TEAM + "/tasks/" + task + "/outputs/a.png";
            agent.send(new AgentMessage.TaskCompleted(task, 1, List.of(new TaskOutputFile("a.png", key, 3, "image/png", "abc"))));
            var complete = transitions.await(TaskTransition.Complete.class, c -> c.taskId().equals(task), WAIT);
            assertThat(complete.outputs()).extracting(TaskOutputFile::storageKey).containsExactly(key);
        }
    }

    @Test
    void aPreviewOfARunningAttemptIsKeptInRedisAndAnnouncedAndAnyOtherIsDropped() throws Exception {
        var transitions = kafka.reader(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY);
        var progress = kafka.reader(Topic.TASK_PROGRESS, ProgressReport.FAMILY);
        UUID task = UUID.randomUUID();
        UUID notHere = UUID.randomUUID();
        try (TestAgent agent = hello("painter-1", 1)) {
            dispatch(agent, "painter-1", task, 1);
            agent.send(new AgentMessage.TaskAccepted(task, 1));
            transitions.await(TaskTransition.Start.class, s -> s.taskId().equals(task), WAIT);

            agent.send(new AgentMessage.TaskPreview(notHere, 1, "image/png", "3", new byte[] {1, 2, 3}));
            agent.send(new AgentMessage.TaskPreview(task, 1, "text/html", "3", new byte[] {1, 2, 3}));
            agent.send(new AgentMessage.TaskPreview(task, 1, "image/png", "3", new byte[PreviewInfo.MAX_BYTES + 1]));
            // As large as a preview may be: more than Vert.x's default WebSocket message size once in base64.
            byte[] image = new byte[PreviewInfo.MAX_BYTES];
            new java.util.Random(7).nextBytes(image);
            agent.send(new AgentMessage.TaskPreview(task, 1, "image/jpeg", "3", image));

            var announced = progress.await(ProgressReport.Preview.class, p -> p.taskId().equals(task), WAIT);
            assertThat(announced.preview().contentType()).isEqualTo("image/jpeg");
            assertThat(announced.preview().size()).isEqualTo(PreviewInfo.MAX_BYTES);
            assertThat(announced.preview().nodeId()).isEqualTo("3");
            assertThat(announced.agentId()).isEqualTo("painter-1");
            var kept = redis.hash(String.class, String.class, byte[].class)
                    .hgetall(PreviewInfo.key(CTX.namespace().redisPrefix(), AgentKeysFixture.TEAM, task));
            assertThat(kept.get("image")).isEqualTo(image);
            assertThat(new String(kept.get("id"))).isEqualTo(announced.preview().previewId());
            assertThat(redis.key(String.class).ttl(PreviewInfo.key(CTX.namespace().redisPrefix(), AgentKeysFixture.TEAM, task)))
                    .isBetween(1L, PreviewInfo.KEPT.toSeconds());
            assertThat(redis.key(String.class).exists(PreviewInfo.key(CTX.namespace().redisPrefix(), AgentKeysFixture.TEAM, notHere))).isFalse();
            assertThat(agent.closed).as("the large message kept the connection").isNotDone();
        }
    }

    @Test
    void aRepeatedDispatchOfAnAttemptThatRunsHereNeitherReachesTheAgentNorStopsIt() throws Exception {
        var transitions = kafka.reader(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY);
        UUID task = UUID.randomUUID();
        try (TestAgent agent = hello("repeat-1", 2)) {
            dispatch(agent, "repeat-1", task, 1);
            agent.send(new AgentMessage.TaskAccepted(task, 1));
            transitions.await(TaskTransition.Start.class, s -> s.taskId().equals(task), WAIT);
            // A restarted scheduler sends the placement again; an agent may acknowledge what it already runs once more.
            publishDispatch("repeat-1", task, 1);
            agent.send(new AgentMessage.TaskAccepted(task, 1));
            // Markers: the agent's commands share a partition, so another task's dispatch comes after the repeated one;
            // the messages of a connection are handled in turn, so the answer to an acknowledgement of an unknown task
            // comes after the repeated acknowledgement was handled.
            UUID other = UUID.randomUUID();
            UUID unknown = UUID.randomUUID();
            publishDispatch("repeat-1", other, 1);
            agent.send(new AgentMessage.TaskAccepted(unknown, 1));
            List<HubMessage> seen = new java.util.ArrayList<>();
            Awaitility.await().atMost(WAIT).until(() -> {
                for (HubMessage m; (m = agent.received.poll()) != null; ) {
                    seen.add(m);
                }
                return seen.stream().anyMatch(m -> m instanceof HubMessage.Dispatch d && d.taskId().equals(other))
                        && seen.stream().anyMatch(m -> m instanceof HubMessage.Cancel c && c.taskId().equals(unknown));
            });
            // The running attempt was neither dispatched again nor told to stop.
            assertThat(seen).noneMatch(m -> (m instanceof HubMessage.Cancel c && c.taskId().equals(task))
                    || (m instanceof HubMessage.Dispatch d && d.taskId().equals(task)));
        }
    }

    @Test
    void aLateAcknowledgementOfAnAttemptTheAgentDoesNotHoldIsAnsweredWithCancel() throws Exception {
        UUID task = UUID.randomUUID();
        try (TestAgent agent = hello("late-1", 1)) {
            dispatch(agent, "late-1", task, 2);
            agent.send(new AgentMessage.TaskAccepted(task, 1));
            HubMessage.Cancel cancel = agent.await(HubMessage.Cancel.class);
            assertThat(cancel.taskId()).isEqualTo(task);
            assertThat(cancel.attempt()).isEqualTo(1);
            kafka.publish(Topic.AGENT_COMMANDS, AgentCommand.FAMILY, new AgentCommand.Cancel(AgentKeysFixture.TEAM, "late-1", task, 2, "cancelled by user"));
            assertThat(agent.await(HubMessage.Cancel.class).attempt()).isEqualTo(2);
        }
    }

    @Test
    void outputsOutsideTheTasksFolderFailTheTask() throws Exception {
        var transitions = kafka.reader(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY);
        UUID task = UUID.randomUUID();
        try (TestAgent agent = hello("sneaky-1", 1)) {
            dispatch(agent, "sneaky-1", task, 1);
            agent.send(new AgentMessage.TaskAccepted(task, 1));
            agent.send(new AgentMessage.TaskCompleted(task, 1, List.of(new TaskOutputFile("x", "teams/" + AgentKeysFixture.OTHER_TEAM + "/x", 1, null, null))));
            var fail = transitions.await(TaskTransition.Fail.class, f -> f.taskId().equals(task), WAIT);
            assertThat(fail.retryable()).isFalse();
            assertThat(fail.error()).contains("outside the task's folder");
        }
    }

    @Test
    void uploadUrlsAreRefusedForATaskTheAgentDoesNotRun() throws Exception {
        UUID task = UUID.randomUUID();
        try (TestAgent agent = hello("upload-1", 1)) {
            agent.send(new AgentMessage.UploadRequest("r1", task, 1, List.of(new AgentMessage.UploadFile("a.png", 3, "image/png"))));
            HubMessage.UploadUrls answer = agent.await(HubMessage.UploadUrls.class);
            assertThat(answer.requestId()).isEqualTo("r1");
            assertThat(answer.error()).contains("is not running on this agent");
            assertThat(answer.targets()).isEmpty();
        }
    }

    @Test
    void aBadHelloOrAMessageBeforeHelloIsRefusedAndTheConnectionClosed() throws Exception {
        try (TestAgent agent = TestAgent.connect(base.getPort(), AgentKeysFixture.KEY)) {
            agent.send(new AgentMessage.Hello(99, "x", List.of(), null, null, null, 1, null, List.of()));
            assertThat(agent.await(HubMessage.Refusal.class).code()).isEqualTo("bad_hello");
            assertThat(agent.closed.get(10, TimeUnit.SECONDS)).isNotNull();
        }
        try (TestAgent agent = TestAgent.connect(base.getPort(), AgentKeysFixture.KEY)) {
            agent.send(new AgentMessage.Heartbeat(List.of()));
            assertThat(agent.await(HubMessage.Refusal.class).code()).isEqualTo("hello_first");
        }
        try (TestAgent agent = TestAgent.connect(base.getPort(), AgentKeysFixture.KEY)) {
            agent.send(new AgentMessage.Hello(AgentProtocol.VERSION, "../etc", List.of("bad label"), null, null, null, 0, null, List.of()));
            assertThat(agent.await(HubMessage.Refusal.class).message()).contains("agent_id");
        }
        try (TestAgent agent = TestAgent.connect(base.getPort(), AgentKeysFixture.KEY)) {
            agent.sendText("{\"type\":\"no_such_message\"}");
            assertThat(agent.await(HubMessage.Refusal.class).code()).isEqualTo("bad_message");
        }
    }

    @Test
    void anAgentThatStaysAwayIsDroppedWithTheTasksItHeld() throws Exception {
        var events = kafka.reader(Topic.AGENT_EVENTS, AgentEvent.FAMILY);
        UUID task = UUID.randomUUID();
        TestAgent agent = hello("gone-1", 1);
        dispatch(agent, "gone-1", task, 1);
        agent.send(new AgentMessage.TaskAccepted(task, 1));
        agent.drop();
        var gone = events.await(AgentEvent.Disconnected.class, d -> d.agentId().equals("gone-1"), WAIT);
        assertThat(gone.runningTasks()).containsExactly(new RunningTask(task, 1));
        assertThat(liveSession("gone-1")).isNull();
        given().header(PrincipalTokens.HEADER, CTX.userToken(AgentKeysFixture.TEAM, Role.VIEWER)).get("/api/v1/agents")
                .then().body("agent_list.findAll { it.agent_id == 'gone-1' }", hasSize(0));
    }

    @Test
    void anAgentThatReconnectsWithinTheSilenceLimitKeepsItsTasks() throws Exception {
        var events = kafka.reader(Topic.AGENT_EVENTS, AgentEvent.FAMILY);
        var transitions = kafka.reader(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY);
        UUID task = UUID.randomUUID();
        TestAgent first = hello("back-1", 1);
        dispatch(first, "back-1", task, 1);
        first.send(new AgentMessage.TaskAccepted(task, 1));
        first.drop();
        // The hub has handled the drop (the agent's session is closed, in its grace period) before the agent comes back.
        await().atMost(WAIT).until(() -> connections.current(AgentKeysFixture.TEAM, "back-1").map(AgentSession::closed).orElse(false));
        try (TestAgent second = hello("back-1", 1, new RunningTask(task, 1))) {
            var reconnected = events.await(AgentEvent.Connected.class, c -> c.agentId().equals("back-1") && !c.runningTasks().isEmpty(), WAIT);
            assertThat(reconnected.runningTasks()).containsExactly(new RunningTask(task, 1));
            // Longer than the silence limit (3 s in tests): the first connection's loss must not drop the agent.
            for (int i = 0; i < 5; i++) {
                second.send(new AgentMessage.Heartbeat(List.of(new RunningTask(task, 1))));
                events.drain(Duration.ofSeconds(1));
            }
            assertThat(events.drain(Duration.ofMillis(200))).noneMatch(e -> e instanceof AgentEvent.Disconnected d && d.agentId().equals("back-1"));
            // Dropping the first connection's session must leave the second's liveness alone.
            assertThat(liveSession("back-1")).isEqualTo(reconnected.sessionId());
            second.send(new AgentMessage.TaskCompleted(task, 1, List.of()));
            transitions.await(TaskTransition.Complete.class, c -> c.taskId().equals(task), WAIT);
        }
    }
}
