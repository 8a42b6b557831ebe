package io.cyberun.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cyberun.contracts.Topic;
import io.cyberun.contracts.agent.AgentLiveness;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.agent.RunningTask;
import io.cyberun.contracts.events.AgentCommand;
import io.cyberun.contracts.events.AgentEvent;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.events.TaskTransition;
import io.cyberun.contracts.task.TaskOutputFile;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.scheduler.registry.TaskBook;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.KafkaProbe;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler through its real inputs and outputs: Kafka topics and Redis. */
@QuarkusTest
@QuarkusTestResource(CyberunTestResource.class)
class DispatcherTests {
    static final Duration WAIT = Duration.ofSeconds(30);
    static KafkaProbe kafka;
    KafkaProbe.Reader<TaskTransition> transitions;
    KafkaProbe.Reader<AgentCommand> commands;
    final UUID team = UUID.randomUUID();
    @Inject
    RedisDataSource redis;
    @Inject
    TaskBook book;
    @Inject
    io.cyberun.scheduler.registry.AgentRegistry registry;
    @Inject
    io.cyberun.scheduler.registry.AgentView view;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaProbe(CyberunTestContext.get().namespace());
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    @BeforeEach
    void readers() {
        transitions = kafka.reader(Topic.TASK_TRANSITIONS, TaskTransition.FAMILY);
        commands = kafka.reader(Topic.AGENT_COMMANDS, AgentCommand.FAMILY);
    }

    void connect(String agent, List<String> labels, int capacity, String session, RunningTask... running) {
        alive(agent, session, Duration.ofMinutes(5));
        kafka.publish(Topic.AGENT_EVENTS, AgentEvent.FAMILY, new AgentEvent.Connected(team, agent, "hub-1", session, Instant.now(), labels,
                capacity, AgentStatus.IDLE, List.of(running), null, null));
    }

    /** An agent that already holds these models when it connects. */
    void connectWithModels(String agent, List<String> labels, int capacity, String session, List<String> models) {
        kafka.publish(Topic.AGENT_EVENTS, AgentEvent.FAMILY, new AgentEvent.Connected(team, agent, "hub-1", session, Instant.now(), labels,
                capacity, AgentStatus.IDLE, List.of(), null, null, models));
        alive(agent, session, Duration.ofMinutes(5));
    }

    /** What the hub holding the agent does on every message it gets from it. */
    void alive(String agent, String session, Duration ttl) {
        redis.value(String.class).setex(AgentLiveness.key(CyberunTestContext.get().namespace().redisPrefix(), team, agent), ttl.toSeconds(),
                session);
    }

    UUID submit(List<String> labels) {
        return submitNeeding(labels, List.of());
    }

    void status(UUID task, long seq, TaskStatus status, TaskStatus previous, String agent, int attempt) {
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.StatusChanged(task, team, seq, status, Instant.now(), previous,
                agent, attempt, 0, "test"));
    }

    UUID submitNeeding(List<String> labels, List<String> models) {
        UUID task = UUID.randomUUID();
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "w", 1, "exec", null, null, List.of(), labels, null, models, 0, 0, 0);
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Submitted(task, team, 1, TaskStatus.PENDING, Instant.now(), spec));
        return task;
    }

    void synced(String agent, String session, List<String> models) {
        kafka.publish(Topic.AGENT_EVENTS, AgentEvent.FAMILY, new AgentEvent.StatusChanged(team, agent, "hub-1", session, Instant.now(),
                AgentStatus.IDLE, List.of(), models));
    }

    @Test
    void aTaskIsPreferablyPlacedWhereItsModelsAreOtherwiseProvisionedThereThenDispatched() {
        String model = "checkpoints/" + UUID.randomUUID() + ".safetensors";
        connectWithModels("has-model", List.of("sd"), 1, "s20", List.of(model));
        connect("bare", List.of("sd"), 1, "s21");
        awaitAgents("has-model", "bare");
        UUID first = submitNeeding(List.of("sd"), List.of(model));
        var direct = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(first), WAIT);
        assertThat(direct.agentId()).as("the agent that already has the model").isEqualTo("has-model");
        assertThat(direct.provision()).isFalse();

        // The only free agent lacks the model: the task provisions there.
        UUID second = submitNeeding(List.of("sd"), List.of(model));
        var provision = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(second), WAIT);
        assertThat(provision.agentId()).isEqualTo("bare");
        assertThat(provision.provision()).isTrue();
        status(second, 2, TaskStatus.PROVISIONING, TaskStatus.PENDING, "bare", 1);
        var sync = commands.await(AgentCommand.SyncModels.class, c -> c.taskId().equals(second), WAIT);
        assertThat(sync.agentId()).isEqualTo("bare");
        assertThat(sync.requiredModels()).containsExactly(model);
        awaitBookStatus(second, "provisioning");

        synced("bare", "s21", List.of(model));
        var queued = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(second) && !a.provision(), WAIT);
        assertThat(queued.agentId()).isEqualTo("bare");
        assertThat(queued.attempt()).as("the attempt it provisioned with").isEqualTo(provision.attempt());
        var dispatch = commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(second), WAIT);
        assertThat(dispatch.agentId()).isEqualTo("bare");
        assertThat(dispatch.attempt()).isEqualTo(provision.attempt());
    }

    @Test
    void aTaskProvisioningForAModelTheTeamDoesNotHaveFailsWhenTheSyncEnds() {
        connect("lonely", List.of("sd-missing"), 1, "s22");
        UUID task = submitNeeding(List.of("sd-missing"), List.of("checkpoints/nowhere.safetensors"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task) && a.provision(), WAIT);
        status(task, 2, TaskStatus.PROVISIONING, TaskStatus.PENDING, "lonely", 1);
        commands.await(AgentCommand.SyncModels.class, c -> c.taskId().equals(task), WAIT);
        awaitBookStatus(task, "provisioning");
        synced("lonely", "s22", List.of("checkpoints/other.safetensors"));
        var fail = transitions.await(TaskTransition.Fail.class, f -> f.taskId().equals(task), WAIT);
        assertThat(fail.retryable()).isFalse();
        assertThat(fail.error()).startsWith("the team has no active model [checkpoints/nowhere.safetensors]");
    }

    /** Agent events and task events travel on different topics: let the registry see these agents first. */
    void awaitAgents(String... ids) {
        await("agents " + List.of(ids) + " registered").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> registry.agents(team).await().atMost(Duration.ofSeconds(5)).stream().map(a -> a.agentId()).toList()
                        .containsAll(List.of(ids)));
    }

    void awaitBookStatus(UUID task, String status) {
        await("task " + task + " '" + status + "' in the scheduler's book").atMost(WAIT)
                .pollInterval(Duration.ofMillis(50)).until(() -> book.get(task).await().atMost(Duration.ofSeconds(5)),
                        t -> t != null && t.status() != null && status.equals(t.status().wireName()));
    }

    @Test
    void aTaskGoesToAnAgentWhoseLabelsCoverTheWorkflowsAndIsDispatchedWithoutWaitingForItsAssignmentToBeRecorded() {
        connect("gpu-only", List.of("gpu"), 1, "s1");
        connect("sd-box", List.of("gpu", "sd15", "extra"), 1, "s2");
        UUID task = submit(List.of("gpu", "sd15"));
        var assign = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT);
        assertThat(assign.agentId()).isEqualTo("sd-box");
        assertThat(assign.gatewayId()).isEqualTo("hub-1");
        assertThat(assign.agentLabels()).containsExactlyInAnyOrder("gpu", "sd15", "extra");
        assertThat(assign.attempt()).isEqualTo(1);

        // No queued event is published: the dispatch does not wait for task-service.
        var dispatch = commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(task), WAIT);
        assertThat(dispatch.agentId()).isEqualTo("sd-box");
        assertThat(dispatch.attempt()).isEqualTo(1);
        assertThat(dispatch.spec().requiredLabels()).containsExactly("gpu", "sd15");
    }

    @Test
    void unreadableTaskAndAgentEventsGoToTheirDeadLetterTopicsAndTheEventsAfterThemAreStillHandled() {
        var taskDlq = kafka.readerOfDeadLetters(Topic.TASK_EVENTS, TaskEvent.FAMILY);
        var agentDlq = kafka.readerOfDeadLetters(Topic.AGENT_EVENTS, AgentEvent.FAMILY);
        kafka.publishRaw(Topic.AGENT_EVENTS, "poison-agent", "{\"not\": \"an agent event\"}");
        UUID poisoned = UUID.randomUUID();
        kafka.publishRaw(Topic.TASK_EVENTS, poisoned.toString(), "this is not a task event");
        connect("after-poison", List.of("dlq-test"), 1, "s30");
        UUID task = submit(List.of("dlq-test"));
        assertThat(transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT).agentId()).isEqualTo("after-poison");
        await().atMost(WAIT).until(() -> taskDlq.raw(Duration.ofMillis(200)).contains("this is not a task event"));
        await().atMost(WAIT).until(() -> agentDlq.raw(Duration.ofMillis(200)).contains("{\"not\": \"an agent event\"}"));
    }

    @Test
    void aTaskWithNoEligibleAgentWaitsAndIsPlacedWhenOneConnects() {
        UUID task = submit(List.of("h100"));
        transitions.await(TaskTransition.MarkWaiting.class, w -> w.taskId().equals(task), WAIT);
        status(task, 2, TaskStatus.WAITING, TaskStatus.PENDING, null, 0);
        connect("big-gpu", List.of("h100"), 1, "s3");
        var assign = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT);
        assertThat(assign.agentId()).isEqualTo("big-gpu");
    }

    @Test
    void anAgentNeverGetsMoreTasksThanItsCapacityAndAFreedSlotTakesTheNext() {
        connect("single", List.of("exec"), 1, "s4");
        UUID first = submit(List.of("exec"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(first), WAIT);
        UUID second = submit(List.of("exec"));
        transitions.await(TaskTransition.MarkWaiting.class, w -> w.taskId().equals(second), WAIT);
        assertThat(transitions.drain(Duration.ofSeconds(1))).noneMatch(t -> t instanceof TaskTransition.Assign a && a.taskId().equals(second));

        status(first, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "single", 1);
        status(first, 3, TaskStatus.RUNNING, TaskStatus.QUEUED, "single", 1);
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Completed(first, team, 4, TaskStatus.COMPLETED, Instant.now(),
                "single", 1, List.<TaskOutputFile>of()));
        var next = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(second), WAIT);
        assertThat(next.agentId()).isEqualTo("single");
    }

    @Test
    void cancellingADispatchedTaskTellsItsAgent() {
        connect("worker", List.of(), 1, "s5");
        UUID task = submit(List.of());
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT);
        status(task, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "worker", 1);
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Cancelled(task, team, 3, TaskStatus.CANCELLED, Instant.now(),
                "worker", 1, TaskStatus.QUEUED, "cancelled by user"));
        var cancel = commands.await(AgentCommand.Cancel.class, c -> c.taskId().equals(task), WAIT);
        assertThat(cancel.agentId()).isEqualTo("worker");
        assertThat(cancel.attempt()).isEqualTo(1);
    }

    @Test
    void aDisconnectedAgentsRunningTaskFailsAndItsUnacknowledgedTaskIsRequeued() {
        connect("flaky", List.of("flaky"), 2, "s6");
        UUID running = submit(List.of("flaky"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(running), WAIT);
        status(running, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "flaky", 1);
        status(running, 3, TaskStatus.RUNNING, TaskStatus.QUEUED, "flaky", 1);
        UUID queued = submit(List.of("flaky"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(queued), WAIT);
        status(queued, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "flaky", 1);
        commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(queued), WAIT);

        // A stale disconnect of an older session changes nothing.
        kafka.publish(Topic.AGENT_EVENTS, AgentEvent.FAMILY, new AgentEvent.Disconnected(team, "flaky", "hub-1", "old-session", Instant.now(),
                "stale", List.of()));
        kafka.publish(Topic.AGENT_EVENTS, AgentEvent.FAMILY, new AgentEvent.Disconnected(team, "flaky", "hub-1", "s6", Instant.now(),
                "silent", List.of()));
        var fail = transitions.await(TaskTransition.Fail.class, f -> f.taskId().equals(running), WAIT);
        assertThat(fail.retryable()).isTrue();
        assertThat(fail.error()).contains("agent flaky disconnected");
        var requeue = transitions.await(TaskTransition.Requeue.class, r -> r.taskId().equals(queued), WAIT);
        assertThat(requeue.attempt()).isEqualTo(1);
    }

    @Test
    void aDispatchNotAcknowledgedInTimeGoesBackToTheQueue() {
        connect("silent", List.of("silent"), 1, "s7");
        UUID task = submit(List.of("silent"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT);
        status(task, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "silent", 1);
        var requeue = transitions.await(TaskTransition.Requeue.class, r -> r.taskId().equals(task), WAIT);
        assertThat(requeue.agentId()).isEqualTo("silent");
        assertThat(requeue.reason()).contains("did not acknowledge");
    }

    @Test
    void aRedeliveredSubmittedEventDoesNotPlaceTheTaskTwice() {
        connect("once", List.of("once"), 2, "s8");
        UUID task = submit(List.of("once"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT);
        status(task, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "once", 1);
        commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(task), WAIT);
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "w", 1, "exec", null, null, List.of(), List.of("once"), null, List.of(), 0, 0, 0);
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Submitted(task, team, 1, TaskStatus.PENDING, Instant.now(), spec));
        assertThat(transitions.drain(Duration.ofSeconds(2)).stream()
                .filter(t -> t instanceof TaskTransition.Assign a && a.taskId().equals(task))).hasSize(1);
    }

    @Test
    void aSubmittedEventRedeliveredBeforeItsAssignmentWasRecordedRepeatsTheSameDispatchNeverANewOne() {
        connect("repeat", List.of("repeat"), 2, "s13");
        UUID task = UUID.randomUUID();
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "w", 1, "exec", null, null, List.of(), List.of("repeat"), null, List.of(), 0, 0, 0);
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Submitted(task, team, 1, TaskStatus.PENDING, Instant.now(), spec));
        var first = commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(task), WAIT);
        // The scheduler may have died before its sends were acknowledged: the event comes again.
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Submitted(task, team, 1, TaskStatus.PENDING, Instant.now(), spec));
        await("the dispatch sent again").atMost(WAIT).until(() -> dispatchesOf(task).size() >= 2);
        for (AgentCommand.Dispatch again : dispatchesOf(task)) {
            assertThat(again.agentId()).isEqualTo(first.agentId());
            assertThat(again.attempt()).as("the same attempt, which hub and agent take once").isEqualTo(first.attempt());
        }
        // It holds one slot: with capacity 2, exactly one more task fits.
        UUID other = submit(List.of("repeat"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(other), WAIT);
        UUID third = submit(List.of("repeat"));
        transitions.await(TaskTransition.MarkWaiting.class, w -> w.taskId().equals(third), WAIT);
    }

    List<AgentCommand.Dispatch> dispatchesOf(UUID task) {
        return commands.drain(Duration.ofMillis(200)).stream()
                .filter(c -> c instanceof AgentCommand.Dispatch d && d.taskId().equals(task)).map(c -> (AgentCommand.Dispatch) c).toList();
    }

    @Test
    void aTaskCancelledBeforeTaskServiceRecordedItsAssignmentIsStoppedOnTheAgentItWasDispatchedTo() {
        connect("racer", List.of("racer"), 1, "s14");
        UUID task = submit(List.of("racer"));
        var dispatch = commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(task), WAIT);
        // task-service cancelled it while it was still pending there: the event names no agent.
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Cancelled(task, team, 2, TaskStatus.CANCELLED, Instant.now(),
                null, 0, TaskStatus.PENDING, "cancelled by user"));
        var cancel = commands.await(AgentCommand.Cancel.class, c -> c.taskId().equals(task), WAIT);
        assertThat(cancel.agentId()).isEqualTo("racer");
        assertThat(cancel.attempt()).isEqualTo(dispatch.attempt());
        // Its slot is free again.
        UUID next = submit(List.of("racer"));
        assertThat(transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(next), WAIT).agentId()).isEqualTo("racer");
    }

    @Test
    void aPendingEventAfterARefusedDispatchPlacesTheTaskAgainWithTheNextAttemptAndStopsTheOldOne() {
        connect("refuser", List.of("refuse"), 1, "s15");
        UUID task = submit(List.of("refuse"));
        var first = commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(task), WAIT);
        // task-service used attempt 1 up (the dispatch was refused before its assignment was recorded).
        status(task, 2, TaskStatus.PENDING, TaskStatus.PENDING, null, first.attempt());
        var cancel = commands.await(AgentCommand.Cancel.class, c -> c.taskId().equals(task), WAIT);
        assertThat(cancel.attempt()).isEqualTo(first.attempt());
        var second = commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(task) && d.attempt() != first.attempt(), WAIT);
        assertThat(second.attempt()).isEqualTo(first.attempt() + 1);
    }

    @Test
    void aRefusedDispatchGoesToAnotherEligibleAgentFirst() {
        // "picky" has the task's model, so it is the first choice (before load); it refuses the dispatch.
        String model = "checkpoints/" + UUID.randomUUID() + ".safetensors";
        connectWithModels("picky", List.of("refusals"), 2, "s30", List.of(model));
        connect("willing", List.of("refusals"), 2, "s31");
        awaitAgents("picky", "willing");
        await("both agents in this replica's view").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> view.agent(team, "picky") != null && view.agent(team, "willing") != null);
        // This replica's view of the agents lags Redis (a refresh read Redis just before "willing" connected): the
        // placement must not depend on it to pass the refusing agent over.
        view.disconnected(team, "willing");
        UUID task = submitNeeding(List.of("refusals"), List.of(model));
        var first = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT);
        assertThat(first.agentId()).isEqualTo("picky");
        status(task, 2, TaskStatus.PENDING, TaskStatus.PENDING, null, first.attempt());
        var second = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task) && a.attempt() != first.attempt(), WAIT);
        assertThat(second.agentId()).as("the agent that did not take it goes last, even with the model").isEqualTo("willing");
    }

    @Test
    void aRetryIsDispatchedAgainOnlyOnceItsBackOffIsOver() {
        connect("patient", List.of("backoff"), 2, "s32");
        awaitAgents("patient");
        UUID task = submit(List.of("backoff"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT);
        status(task, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "patient", 1);
        status(task, 3, TaskStatus.RUNNING, TaskStatus.QUEUED, "patient", 1);
        awaitBookStatus(task, "running");
        Instant retryAt = Instant.now().plusMillis(1_500);
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.StatusChanged(task, team, 4, TaskStatus.PENDING, Instant.now(),
                TaskStatus.RUNNING, null, 1, 1, "retry 1 of 2 after: boom", retryAt));
        var retried = transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task) && a.attempt() == 2, WAIT);
        assertThat(Instant.now()).as("the retry was dispatched after its back-off, not at once").isAfterOrEqualTo(retryAt);
        assertThat(retried.agentId()).isEqualTo("patient");
    }

    @Test
    void anAgentWhoseHubStopsRenewingItsLivenessIsDroppedAndItsTasksMoveOn() {
        connect("orphan", List.of("orphan"), 2, "s9");
        connect("steady", List.of("steady"), 1, "s10");
        UUID running = submit(List.of("orphan"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(running), WAIT);
        status(running, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "orphan", 1);
        status(running, 3, TaskStatus.RUNNING, TaskStatus.QUEUED, "orphan", 1);
        UUID queued = submit(List.of("orphan"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(queued), WAIT);
        status(queued, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "orphan", 1);

        // The hub holding "orphan" dies: nobody renews its key and no Disconnected event is ever published.
        alive("orphan", "s9", Duration.ofSeconds(1));
        var fail = transitions.await(TaskTransition.Fail.class, f -> f.taskId().equals(running), WAIT);
        assertThat(fail.retryable()).isTrue();
        assertThat(fail.error()).contains("no heartbeat");
        transitions.await(TaskTransition.Requeue.class, r -> r.taskId().equals(queued), WAIT);

        // The agent whose key is still renewed keeps taking work.
        UUID next = submit(List.of("steady"));
        assertThat(transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(next), WAIT).agentId()).isEqualTo("steady");
        // And the dropped one takes none until it connects again.
        UUID waiting = submit(List.of("orphan"));
        transitions.await(TaskTransition.MarkWaiting.class, w -> w.taskId().equals(waiting), WAIT);
    }

    @Test
    void aReconnectingAgentKeepsWhatItStillRunsIsToldToStopStaleWorkAndLosesWhatItForgot() {
        connect("restart", List.of("restart"), 3, "s11");
        UUID kept = submit(List.of("restart"));
        UUID forgotten = submit(List.of("restart"));
        for (UUID task : List.of(kept, forgotten)) {
            transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(task), WAIT);
            status(task, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "restart", 1);
            status(task, 3, TaskStatus.RUNNING, TaskStatus.QUEUED, "restart", 1);
        }
        // Task events and agent events travel on different topics: let the book see both tasks running first.
        for (UUID task : List.of(kept, forgotten)) {
            awaitBookStatus(task, "running");
        }
        UUID stale = UUID.randomUUID();
        // A new session reports one task, an attempt the platform does not know, and not the other task.
        connect("restart", List.of("restart"), 3, "s12", new RunningTask(kept, 1), new RunningTask(stale, 4));
        var fail = transitions.await(TaskTransition.Fail.class, f -> f.taskId().equals(forgotten), WAIT);
        assertThat(fail.retryable()).isTrue();
        assertThat(fail.error()).isEqualTo("agent restart came back without the task (it restarted)");
        var cancel = commands.await(AgentCommand.Cancel.class, c -> c.taskId().equals(stale), WAIT);
        assertThat(cancel.attempt()).isEqualTo(4);
        assertThat(transitions.drain(Duration.ofSeconds(1))).noneMatch(t -> t instanceof TaskTransition.Fail f && f.taskId().equals(kept));
        // The kept task still holds its slot: with capacity 3, one running and one failing (not yet released), only one more fits.
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Failed(forgotten, team, 4, TaskStatus.FAILED, Instant.now(),
                "restart", 1, "lost", List.of()));
        UUID next = submit(List.of("restart"));
        UUID after = submit(List.of("restart"));
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(next), WAIT);
        transitions.await(TaskTransition.Assign.class, a -> a.taskId().equals(after), WAIT);
        UUID overflow = submit(List.of("restart"));
        transitions.await(TaskTransition.MarkWaiting.class, w -> w.taskId().equals(overflow), WAIT);
    }

    /** What a rebuild restores from task-service's record: the task as that record has it. */
    UUID restore(List<String> labels, TaskStatus status, String agent, int attempt, long seq, long placeableFromMillis) {
        UUID task = UUID.randomUUID();
        TaskSpec spec = new TaskSpec(UUID.randomUUID(), "w", 1, "exec", null, null, List.of(), labels, null, List.of(), 0, 0, 0);
        long now = System.currentTimeMillis();
        assertThat(book.restore(new io.cyberun.contracts.task.OpenTasks.OpenTask(task, team, status, agent, attempt, seq, spec, Instant.now()),
                now, placeableFromMillis).await().atMost(Duration.ofSeconds(5))).isTrue();
        return task;
    }

    @Test
    void aBookRestoredFromARecordOlderThanTheLastPlacementKeepsTheTaskOnTheAgentThatReportsItAndNeverPlacesItAgain() {
        connect("lagging", List.of("lagging"), 1, "s16");
        awaitAgents("lagging");
        // Redis lost the book just after the scheduler dispatched attempt 1; task-service had not recorded it yet.
        UUID task = restore(List.of("lagging"), TaskStatus.PENDING, null, 0, 1, System.currentTimeMillis() + 1_000);
        // The agent's hub announces it again, with the task it runs.
        connect("lagging", List.of("lagging"), 1, "s17", new RunningTask(task, 1));
        awaitBookStatus(task, "running");
        assertThat(book.get(task).await().atMost(Duration.ofSeconds(5)).agentId()).isEqualTo("lagging");
        // Past the hold and a refresh of the view: the task is neither stopped nor placed again, and it holds the only slot.
        UUID next = submit(List.of("lagging"));
        transitions.await(TaskTransition.MarkWaiting.class, w -> w.taskId().equals(next), WAIT);
        List<AgentCommand> sent = commands.drain(Duration.ofSeconds(4));
        assertThat(sent).noneMatch(c -> c instanceof AgentCommand.Cancel x && x.taskId().equals(task));
        assertThat(sent).noneMatch(c -> c instanceof AgentCommand.Dispatch d && (d.taskId().equals(task) || d.taskId().equals(next)));

        // The placement's record arrives late: it changes nothing. The task ends: the next one takes the slot.
        status(task, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "lagging", 1);
        status(task, 3, TaskStatus.RUNNING, TaskStatus.QUEUED, "lagging", 1);
        kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Completed(task, team, 4, TaskStatus.COMPLETED, Instant.now(),
                "lagging", 1, List.<TaskOutputFile>of()));
        assertThat(commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(next), WAIT).agentId()).isEqualTo("lagging");
    }

    @Test
    void aRestoredWaitingTaskIsHeldBackUntilALatePlacementRecordCanArriveAndThenNotPlacedTwice() {
        connect("holder", List.of("holder"), 2, "s18");
        awaitAgents("holder");
        long from = System.currentTimeMillis() + 2_500;
        UUID placedBefore = restore(List.of("holder"), TaskStatus.PENDING, null, 0, 1, from);
        UUID waiting = restore(List.of("holder"), TaskStatus.WAITING, null, 0, 2, from);
        // The first one's placement is recorded after the restore: it holds its slot and leaves the waiting queue.
        status(placedBefore, 2, TaskStatus.QUEUED, TaskStatus.PENDING, "holder", 1);
        awaitBookStatus(placedBefore, "queued");
        // The agent reports a status: waiting tasks are placed now if they may be.
        synced("holder", "s18", List.of());
        assertThat(commands.drain(Duration.ofMillis(1_000))).as("nothing is placed while held back")
                .noneMatch(c -> c instanceof AgentCommand.Dispatch d && d.taskId().equals(waiting));
        long seenAt = 0;
        while (seenAt == 0 && System.currentTimeMillis() < from + WAIT.toMillis()) {
            if (commands.drain(Duration.ofMillis(50)).stream().anyMatch(c -> c instanceof AgentCommand.Dispatch d && d.taskId().equals(waiting))) {
                seenAt = System.currentTimeMillis();
            }
        }
        assertThat(seenAt).as("placed once held back no more").isGreaterThanOrEqualTo(from);
        var dispatch = commands.await(AgentCommand.Dispatch.class, d -> d.taskId().equals(waiting), WAIT);
        assertThat(dispatch.attempt()).isEqualTo(1);
        assertThat(commands.drain(Duration.ofSeconds(3))).noneMatch(c -> c instanceof AgentCommand.Dispatch d && d.taskId().equals(placedBefore));
        // Both slots are held: a new task waits.
        UUID overflow = submit(List.of("holder"));
        transitions.await(TaskTransition.MarkWaiting.class, w -> w.taskId().equals(overflow), WAIT);
    }
}
