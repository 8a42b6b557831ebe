package io.cyberun.e2e;

import static io.cyberun.e2e.TeamFixture.call;
import static io.cyberun.e2e.TeamFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Watching a task the ways clients can: the SSE stream resumed after a dropped connection on another gateway replica,
 * the JSON event log with a long-poll, a stream token for a browser, and the gateway's live task page in headless
 * Chromium.
 */
@ExtendWith(SharedStack.class)
class TaskWatchingIT {
    static CyberunStack stack;
    static TeamFixture team;
    /** A team with no agent: its tasks wait, so nothing happens unless a test makes it happen. */
    static TeamFixture idle;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        team = new TeamFixture(stack, "Watching team", stack.workflowJson());
        idle = new TeamFixture(stack, "Idle team", stack.workflowJson());
        stack.agent(new CyberunStack.AgentOptions("watch-agent", team.ak(), "exec, demo, cpu").env("DEMO_STEP_SECONDS", "0.3"));
    }

    static String run(TeamFixture t, String prompt, int steps) throws Exception {
        return ok(call("POST", "/api/v1/r/workflows/slug/demo-render/run", t.sk(),
                "{\"parameters\":{\"prompt\":\"" + prompt + "\",\"steps\":" + steps + "}}", Map.of()), 202).path("task_id").asText();
    }

    static JsonNode streamToken(TeamFixture t, String task) throws Exception {
        return ok(call("POST", "/api/v1/r/tasks/" + task + "/stream-token", t.sk(), null, Map.of()), 200);
    }

    static String events(String gateway, String task) {
        return gateway + "/api/v1/r/tasks/" + task + "/events";
    }

    @Test
    void aDroppedStreamResumesOnAnotherGatewayReplicaWithNoGapAndNoDuplicate() throws Exception {
        ServiceProcess second = stack.extraGateway(Map.of());
        String task = run(team, "resume me", 8);
        SseClient whole = SseClient.open(events(second.url(), task), team.sk(), null);
        SseClient first = SseClient.open(events(stack.gateway.url(), task), team.sk(), null, 4);
        assertThat(first.done.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(first.events).hasSize(4);
        long lastSeen = first.events.get(3).id();
        SseClient resumed = SseClient.open(events(second.url(), task), team.sk(), lastSeen);
        assertThat(resumed.done.get(90, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(whole.done.get(30, TimeUnit.SECONDS)).isEqualTo(200);

        List<Long> joined = new ArrayList<>(first.events.stream().map(SseClient.Event::id).toList());
        joined.addAll(resumed.events.stream().map(SseClient.Event::id).toList());
        List<Long> all = whole.events.stream().map(SseClient.Event::id).toList();
        assertThat(all).as("the second replica's own subscriber saw every event").isEqualTo(LongStream.rangeClosed(1, all.size()).boxed().toList());
        assertThat(joined).as("dropped after 4, resumed elsewhere: the same sequence").isEqualTo(all);
        assertThat(resumed.events.get(resumed.events.size() - 1).name()).isEqualTo("completed");
        second.close();
    }

    @Test
    void theJsonLogLongPollsUntilTheNextEventOrItsWaitRunsOut() throws Exception {
        String task = run(idle, "nobody runs me", 2);
        String log = "/api/v1/r/tasks/" + task + "/events";
        // Settled: the scheduler has moved it to waiting (no agent of this team can run it); nothing else happens.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                "waiting".equals(ok(call("GET", "/api/v1/r/tasks/" + task, idle.sk(), null, Map.of()), 200).path("status").asText()));
        long settled = lastSeq(log);
        final long last = settled;
        assertThat(last).isPositive();

        long started = System.nanoTime();
        JsonNode quiet = ok(call("GET", log + "?after=" + last + "&wait=2", idle.sk(), null, Map.of()), 200);
        long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(quiet.path("events")).isEmpty();
        assertThat(quietMillis).as("an idle task's long-poll waits out its wait").isBetween(1900L, 8000L);

        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return ok(call("GET", log + "?after=" + last + "&wait=25", idle.sk(), null, Map.of()), 200);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(waiting).as("still waiting: nothing happened yet").isNotDone());
        long cancelled = System.nanoTime();
        ok(call("POST", "/api/v1/r/tasks/" + task + "/cancel", idle.sk(), null, Map.of()), 200);
        JsonNode woken = waiting.get(10, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelled)).as("answered on the event, not at the end of the wait").isLessThan(5000);
        assertThat(woken.path("events")).isNotEmpty().allSatisfy(e -> assertThat(e.path("id").asLong()).isGreaterThan(last));
        assertThat(woken.path("events").findValuesAsText("event")).contains("cancelled");

        for (String bad : List.of("wait=abc", "wait=31", "wait=-1", "after=x&wait=1")) {
            var r = call("GET", log + "?" + bad, idle.sk(), null, Map.of());
            assertThat(r.statusCode()).as(bad + ": " + r.body()).isEqualTo(400);
            assertThat(WalkingSkeletonIT.json(r.body()).path("details").get(0).path("field").asText()).isIn("wait", "after");
        }
        assertThat(call("GET", log + "?after=0&wait=1", team.sk(), null, Map.of()).statusCode()).as("another team's task").isEqualTo(404);
    }

    static long lastSeq(String log) throws Exception {
        return ok(call("GET", log + "?after=0", idle.sk(), null, Map.of()), 200).path("last_seq").asLong();
    }

    @Test
    void aStreamTokenReadsOnlyItsOwnTaskAndOnlyReads() throws Exception {
        String task = run(idle, "token task", 2);
        String other = run(idle, "other task", 2);
        JsonNode issued = streamToken(idle, task);
        String token = issued.path("stream_token").asText();
        assertThat(token).startsWith("st-");
        assertThat(issued.path("expires_in").asInt()).isEqualTo(300);
        assertThat(issued.path("page_url").asText()).isEqualTo("/tasks/" + task + "#stream_token=" + token);

        String q = "?stream_token=" + token;
        assertThat(ok(call("GET", "/api/v1/r/tasks/" + task + q, null, null, Map.of()), 200).path("id").asText()).isEqualTo(task);
        assertThat(call("GET", "/api/v1/r/tasks/" + task + "/result" + q, null, null, Map.of()).statusCode()).isIn(200, 409);
        assertThat(ok(call("GET", "/api/v1/r/tasks/" + task + "/events" + q + "&after=0", null, null, Map.of()), 200).path("events")).isNotEmpty();
        SseClient sse = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + task + "/events" + q, null, null, 1);
        assertThat(sse.done.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(sse.events.get(0).name()).isEqualTo("status");

        for (var refused : List.of(
                List.of("GET", "/api/v1/r/tasks/" + other + q),
                List.of("GET", "/api/v1/r/tasks/" + other + "/events" + q),
                List.of("POST", "/api/v1/r/tasks/" + task + "/cancel" + q),
                List.of("POST", "/api/v1/r/tasks/" + task + "/rerun" + q),
                List.of("GET", "/api/v1/r/tasks" + q),
                List.of("GET", "/api/v1/r/workflows" + q),
                List.of("GET", "/api/v1/r/tasks/" + task + "?stream_token=st-made-up"),
                List.of("GET", "/api/v1/r/tasks/" + task + "?stream_token=" + issued.path("task_id").asText()))) {
            var r = call(refused.get(0), refused.get(1), null, null, Map.of());
            assertThat(r.statusCode()).as(refused + ": " + r.body()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(WalkingSkeletonIT.json(r.body()).path("error_message").asText()).contains("stream token");
        }
        assertThat(ok(call("GET", "/api/v1/r/tasks/" + task, idle.sk(), null, Map.of()), 200).path("status").asText())
                .as("the refused cancel did nothing").isNotEqualTo("cancelled");

        assertThat(call("POST", "/api/v1/r/tasks/" + task + "/stream-token", team.sk(), null, Map.of()).statusCode())
                .as("another team cannot get a token for the task").isEqualTo(404);
        assertThat(call("POST", "/api/v1/r/tasks/00000000-0000-0000-0000-000000000000/stream-token", idle.sk(), null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/r/tasks/not-a-uuid/stream-token", idle.sk(), null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/r/tasks/" + task + "/stream-token", null, null, Map.of()).statusCode()).isEqualTo(401);
    }

    @Test
    void theLiveTaskPageShowsATaskRunningToItsOutputsInHeadlessChromium() throws Exception {
        NodeClients.install();
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertThat(chromium).as("Debian's chromium is needed for the task page test: bin/test installs it (apt-get install chromium)").isExecutable();
        String task = run(team, "seen in a browser", 30);
        String page = stack.gateway.url() + streamToken(team, task).path("page_url").asText();
        Path screenshot = stack.root.resolve("e2e/target/screenshots/task-page.png");
        Files.createDirectories(screenshot.getParent());
        NodeClients.Run browser = NodeClients.node(List.of("task-page.mjs", page, screenshot.toString()), Map.of("CHROMIUM", chromium.toString()), 180);
        assertThat(browser.exit()).as(browser.describe()).isZero();
        JsonNode shown = browser.summary();
        assertThat(shown.path("status").asText()).as(shown.toString()).isEqualTo("completed");
        assertThat(shown.path("page_errors")).isEmpty();
        assertThat(shown.path("error").isNull()).as(shown.path("error").asText()).isTrue();
        List<String> states = new ArrayList<>();
        shown.path("states_seen").forEach(s -> states.add(s.asText()));
        assertThat(states).as("the page followed the task live").contains("running", "completed");
        assertThat(states.indexOf("running")).isLessThan(states.indexOf("completed"));
        long runningAt = shown.path("state_times").get(states.indexOf("running")).asLong();
        long completedAt = shown.path("state_times").get(states.lastIndexOf("completed")).asLong();
        assertThat(completedAt - runningAt).as("the page saw the 30 steps (9 s) happen, not a replay of a finished task").isGreaterThan(2000);
        assertThat(shown.path("bar_width").asText()).isEqualTo("100%");
        assertThat(shown.path("progress_text").asText()).contains("step 30/30");
        assertThat(shown.path("log").asText()).contains("rendering \"seen in a browser\" in 30 steps");
        assertThat(shown.path("downloads").findValuesAsText("text")).containsExactlyInAnyOrder("Download card.svg", "Download prompt.txt");
        assertThat(shown.path("previews")).hasSize(1);
        assertThat(shown.path("previews").get(0).path("loaded").asBoolean()).as("the SVG preview loaded from its signed URL").isTrue();
        // The demo command names a preview image each step: the page showed them live, as PNGs it fetched with its token.
        JsonNode live = shown.path("live_preview");
        assertThat(live.path("shown").asBoolean()).as(live.toString()).isTrue();
        assertThat(live.path("loaded").asBoolean()).as(live.toString()).isTrue();
        assertThat(live.path("width").asInt()).isEqualTo(160);
        assertThat(live.path("seen_while_running").asBoolean()).as("a preview while the task ran").isTrue();
        assertThat(live.path("previews_seen").asInt()).as("previews come at most once a second: 9 s of steps").isBetween(2, 12);
        assertThat(shown.path("address").asText()).as("the token left the address bar").doesNotContain("stream_token");
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);

        NodeClients.Run noToken = NodeClients.node(List.of("task-page.mjs", stack.gateway.url() + "/tasks/" + task,
                screenshot.resolveSibling("task-page-no-token.png").toString()), Map.of("CHROMIUM", chromium.toString()), 120);
        assertThat(noToken.exit()).as(noToken.describe()).isZero();
        assertThat(noToken.summary().path("status").asText()).isEqualTo("unauthorised");
        assertThat(noToken.summary().path("error").asText()).contains("stream-token");
    }
}
