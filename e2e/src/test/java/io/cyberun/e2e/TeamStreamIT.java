package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.call;
import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard's team stream ({@code GET /api/v1/r/tasks/events}) against the real stack: every task of the team to
 * its end and nothing of another team, a reconnect that resumes with {@code Last-Event-ID} without losing a state
 * change, and who may open it.
 */
@ExtendWith(SharedStack.class)
class TeamStreamIT {
    static CyberunStack stack;
    static TeamFixture team;
    /** Another team whose tasks run at the same time (they wait: it has no agent). */
    static TeamFixture other;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        team = new TeamFixture(stack, "Team stream team", stack.workflowJson());
        other = new TeamFixture(stack, "Team stream neighbours", stack.workflowJson());
        stack.agent(new CyberunStack.AgentOptions("team-stream-agent", team.ak(), "exec, demo, cpu").env("DEMO_STEP_SECONDS", "0.2"));
    }

    static String run(TeamFixture t, String prompt) throws Exception {
        return ok(call("POST", "/api/v1/r/workflows/slug/demo-render/run", t.sk(),
                "{\"parameters\":{\"prompt\":\"" + prompt + "\",\"steps\":3}}", Map.of()), 202).path("task_id").asText();
    }

    static String teamEvents() {
        return stack.gateway.url() + "/api/v1/r/tasks/events";
    }

    static void awaitCompleted(List<String> tasks) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            for (String task : tasks) {
                if (!"completed".equals(ok(call("GET", "/api/v1/r/tasks/" + task, team.sk(), null, Map.of()), 200).path("status").asText())) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Each task's status after the newest news of it (by seq) in these events, as a dashboard's list would show it. */
    static Map<String, String> latestStatus(List<SseClient.Event> events) {
        Map<String, Long> seq = new HashMap<>();
        Map<String, String> status = new HashMap<>();
        for (SseClient.Event e : events) {
            boolean snapshot = e.name().equals("task");
            String task = snapshot ? e.data().path("task").path("id").asText() : e.data().path("task_id").asText();
            if (task.isEmpty()) {
                continue;
            }
            long s = e.data().path("seq").asLong();
            if (s > seq.getOrDefault(task, 0L)) {
                seq.put(task, s);
                status.put(task, snapshot ? e.data().path("task").path("status").asText() : e.data().path("status").asText());
            }
        }
        return status;
    }

    @Test
    void theStreamCarriesEveryTaskOfTheTeamToItsEndAndNothingOfAnotherTeam() throws Exception {
        SseClient stream = SseClient.open(teamEvents(), team.sk(), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> !stream.named("ready").isEmpty());
        assertThat(stream.named("ready").get(0).data().path("team_id").asText()).isEqualTo(team.teamId);

        List<String> ours = new ArrayList<>();
        List<String> theirs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ours.add(run(team, "ours " + i));
            theirs.add(run(other, "theirs " + i));
        }
        ok(call("POST", "/api/v1/r/tasks/" + theirs.get(0) + "/cancel", other.sk(), null, Map.of()), 200);
        awaitCompleted(ours);
        await().atMost(Duration.ofSeconds(20)).until(() -> stream.named("completed").size() >= 3);
        stream.close();

        List<SseClient.Event> news = stream.events.stream().filter(e -> !e.name().equals("ready")).toList();
        Set<String> seen = new java.util.HashSet<>(news.stream().map(e -> e.data().path("task_id").asText()).toList());
        assertThat(seen).as("the team's tasks and only those").containsExactlyInAnyOrderElementsOf(ours);
        assertThat(latestStatus(news)).containsOnlyKeys(ours).allSatisfy((task, status) -> assertThat(status).isEqualTo("completed"));
        for (String task : ours) {
            List<SseClient.Event> own = news.stream().filter(e -> e.data().path("task_id").asText().equals(task)).toList();
            SseClient.Event first = own.get(0);
            assertThat(first.name()).isEqualTo("status");
            assertThat(first.data().path("seq").asLong()).isEqualTo(1);
            assertThat(first.data().path("workflow_slug").asText()).as("enough to list a new task").isEqualTo("demo-render");
            assertThat(first.data().path("created_at").asText()).isNotBlank();
            List<Long> seqs = own.stream().map(e -> e.data().path("seq").asLong()).toList();
            assertThat(seqs).as("one task's news in order").isSorted().doesNotHaveDuplicates();
            assertThat(own.stream().map(SseClient.Event::name)).as("log lines stay on the task's own stream").doesNotContain("log", "preview");
            assertThat(own.stream().map(SseClient.Event::id)).allSatisfy(id -> assertThat(id).isPositive());
        }
    }

    @Test
    void aDashboardThatReconnectsGetsEveryTaskThatChangedWhileItWasAway() throws Exception {
        SseClient first = SseClient.open(teamEvents(), team.sk(), null, 1);
        assertThat(first.done.get(20, TimeUnit.SECONDS)).isEqualTo(200);
        long lastId = first.events.get(0).id();

        List<String> tasks = List.of(run(team, "while away 1"), run(team, "while away 2"));
        String waiting = run(other, "not ours");
        awaitCompleted(tasks);

        SseClient resumed = SseClient.open(teamEvents(), team.sk(), lastId);
        await().atMost(Duration.ofSeconds(20)).until(() -> !resumed.named("ready").isEmpty());
        List<SseClient.Event> snapshots = resumed.named("task");
        Map<String, String> status = latestStatus(snapshots);
        assertThat(status).containsKeys(tasks.toArray(new String[0])).doesNotContainKey(waiting);
        tasks.forEach(t -> assertThat(status.get(t)).isEqualTo("completed"));
        assertThat(snapshots.get(0).data().path("task").path("workflow_id").asText()).isNotBlank();
        int readyAt = resumed.events.indexOf(resumed.named("ready").get(0));
        assertThat(resumed.events.subList(0, readyAt)).as("the replay comes before the stream says it is ready")
                .allSatisfy(e -> assertThat(e.name()).isEqualTo("task"));

        // Live again after the replay: a new task's whole life arrives.
        String later = run(team, "after the reconnect");
        awaitCompleted(List.of(later));
        await().atMost(Duration.ofSeconds(20)).until(() -> "completed".equals(latestStatus(resumed.events).get(later)));
        resumed.close();
    }

    @Test
    void aResumeCutAtAnyPointStillEndsWithEveryTasksFinalState() throws Exception {
        List<String> tasks = new ArrayList<>();
        SseClient first = SseClient.open(teamEvents(), team.sk(), null, 6);
        await().atMost(Duration.ofSeconds(20)).until(() -> !first.named("ready").isEmpty());
        for (int i = 0; i < 4; i++) {
            tasks.add(run(team, "cut " + i));
        }
        assertThat(first.done.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        long lastId = first.events.get(first.events.size() - 1).id();
        SseClient second = SseClient.open(teamEvents(), team.sk(), lastId);
        awaitCompleted(tasks);
        List<SseClient.Event> joined = new ArrayList<>(first.events);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            List<SseClient.Event> all = new ArrayList<>(joined);
            all.addAll(second.events);
            Map<String, String> status = latestStatus(all);
            return tasks.stream().allMatch(t -> "completed".equals(status.get(t)));
        });
        second.close();
    }

    @Test
    void onlyTheTeamsOwnCredentialsOpenIt() throws Exception {
        assertThat(call("GET", "/api/v1/r/tasks/events", null, null, Map.of()).statusCode()).isEqualTo(401);
        String task = run(other, "token");
        String streamToken = ok(call("POST", "/api/v1/r/tasks/" + task + "/stream-token", other.sk(), null, Map.of()), 200)
                .path("stream_token").asText();
        var refused = call("GET", "/api/v1/r/tasks/events?stream_token=" + streamToken, null, null, Map.of());
        assertThat(refused.statusCode()).as("a task's stream token reads that task only").isEqualTo(401);
        assertThat(ok(refused, 401).path("error_message").asText()).contains("stream token");
        var viewer = team.integrationKey("viewer", null).path("raw_key").asText();
        SseClient stream = SseClient.open(teamEvents(), viewer, null, 1);
        assertThat(stream.done.get(20, TimeUnit.SECONDS)).as("viewers watch too").isEqualTo(200);
        assertThat(stream.events.get(0).data().path("team_id").asText()).isEqualTo(team.teamId);
    }
}
