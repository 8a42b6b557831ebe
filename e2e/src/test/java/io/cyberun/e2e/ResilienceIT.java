package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the hot path keeps when processes die and shared state is lost, on the real servers: the scheduler and then
 * task-service killed ({@code kill -9}) while runs flow, every Redis key of the run lost mid-flow, and a database
 * outage. Runs are counted on the agents (each run of the work command writes start and end to a runs file).
 */
@ExtendWith(SharedStack.class)
class ResilienceIT {
    static CyberunStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        AgentsIT.start(); // its team, agent and runs-file helpers
    }

    @Test
    void killingTheSchedulerThenTaskServiceWhileFiveHundredTasksFlowAtTwoHundredASecondLosesNoneRunsEachOnceAndKeepsStreamsWhole()
            throws Exception {
        AgentsIT.Team team = AgentsIT.team("Chaos team", "exec, chaos", 0);
        for (int i = 1; i <= 4; i++) {
            stack.agent(AgentsIT.agent(team, "chaos-" + i, "exec, chaos").capacity(8));
        }
        int total = 500;
        List<String> accepted = new CopyOnWriteArrayList<>();
        Map<String, List<SseClient.Event>> watched = new ConcurrentHashMap<>();
        List<Thread> watchers = new CopyOnWriteArrayList<>();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        int[] next = {0};
        List<Thread> submitters = new CopyOnWriteArrayList<>();
        clock.scheduleAtFixedRate(() -> {
            int n = next[0]++;
            if (n >= total) {
                return;
            }
            submitters.add(Thread.ofVirtual().start(() -> {
                String id = runRetrying(team, "{\"token\": \"c" + n + "\"}");
                accepted.add(id);
                if (n % 10 == 0) {
                    // Every tenth task is watched over SSE from its start to its end, across the kills.
                    watchers.add(Thread.ofVirtual().start(() -> watched.put(id, follow(team, id))));
                }
            }));
        }, 0, 5, TimeUnit.MILLISECONDS);

        // The scheduler dies about a second into the flow, task-service about half a second later.
        await().atMost(Duration.ofMinutes(1)).until(() -> accepted.size() >= 150);
        stack.restartScheduler(true);
        await().atMost(Duration.ofMinutes(1)).until(() -> accepted.size() >= 250);
        stack.restartTaskService(true, Map.of());
        await().atMost(Duration.ofMinutes(3)).until(() -> next[0] >= total);
        clock.shutdown();
        for (Thread t : submitters) {
            t.join(Duration.ofMinutes(3));
        }
        assertThat(accepted).hasSize(total).doesNotHaveDuplicates();

        awaitCompleted(team, total, Duration.ofMinutes(5));
        // No late duplicate: the runs counted on the agents stay at one start per task.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> AgentsIT.runs(team).stream().filter(r -> r.event().equals("start")).count() == total);
        Map<String, Long> starts = new HashMap<>();
        Map<String, Long> ends = new HashMap<>();
        for (AgentsIT.Run r : AgentsIT.runs(team)) {
            (r.event().equals("start") ? starts : ends).merge(r.task(), 1L, Long::sum);
        }
        assertThat(starts.keySet()).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(starts.values()).as("each task started exactly once, counted on the agents").allMatch(n -> n == 1);
        assertThat(ends.values()).as("and ended once").allMatch(n -> n == 1);

        for (Thread t : watchers) {
            t.join(Duration.ofMinutes(2));
        }
        assertThat(watched).hasSize(total / 10);
        watched.forEach((task, events) -> {
            List<Long> ids = events.stream().map(SseClient.Event::id).toList();
            assertThat(ids).as("SSE ids of %s", task).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, ids.size()).boxed().toList());
            assertThat(events.get(events.size() - 1).name()).as("the last event of %s", task).isEqualTo("completed");
        });
    }

    @Test
    void losingEveryRedisKeyMidFlowHealsWithinTenSeconds() throws Exception {
        AgentsIT.Team team = AgentsIT.team("Amnesia team", "exec, amnesia", 0);
        stack.agent(AgentsIT.agent(team, "amnesiac", "exec, amnesia").capacity(2));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(AgentsIT.run(team, "work", "{\"token\": \"a" + i + "\", \"seconds\": 1}"));
        }
        // Two run, the rest wait for a slot: Redis is lost while some ran, some run and most wait.
        await().atMost(Duration.ofMinutes(1)).until(() -> AgentsIT.runs(team).stream().filter(r -> r.event().equals("end")).count() >= 2);
        long wipedAt = System.currentTimeMillis() * 1000;
        Instant wiped = Instant.now();
        stack.ns.loseRedisState();

        // The agent is listed again, and waiting tasks start again, within ten seconds.
        await("the agent in the agent list again").atMost(Duration.between(Instant.now(), wiped.plusSeconds(10))).pollInterval(Duration.ofMillis(200))
                .until(() -> WalkingSkeletonIT.call("GET", "/api/v1/r/agents", team.key(), null, Map.of()).body().contains("amnesiac"));
        awaitCompleted(team, ids.size(), Duration.ofMinutes(2));
        List<AgentsIT.Run> runs = AgentsIT.runs(team);
        long firstStartAfter = runs.stream().filter(r -> r.event().equals("start") && r.at() > wipedAt).mapToLong(AgentsIT.Run::at).min()
                .orElseThrow();
        assertThat((firstStartAfter - wipedAt) / 1000).as("ms from the loss to the next task start").isLessThan(10_000);
        Map<String, Long> starts = new HashMap<>();
        runs.stream().filter(r -> r.event().equals("start")).forEach(r -> starts.merge(r.task(), 1L, Long::sum));
        assertThat(starts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(starts.values()).as("each task ran exactly once").allMatch(n -> n == 1);
    }

    @Test
    void aDatabaseOutageAnswers503WithRetryAfterThenEverythingResumesWithNothingLost() throws Exception {
        AgentsIT.Team team = AgentsIT.team("Outage team", "exec, outage", 0);
        // A second team's key, never used before the outage: the gateway has to look it up in its database.
        AgentsIT.Team fresh = AgentsIT.team("Outage second team", "exec, outage-2", 0);
        stack.agent(AgentsIT.agent(team, "steady", "exec, outage").capacity(4));
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            before.add(AgentsIT.run(team, "work", "{\"token\": \"o" + i + "\", \"seconds\": 3}"));
        }
        AgentsIT.awaitRun(team, before.get(0), "start");

        stack.ns.databaseOutage(true);
        try {
            HttpResponse<String> run = WalkingSkeletonIT.call("POST", "/api/v1/r/workflows/slug/work/run", team.key(), "{\"parameters\": {}}",
                    Map.of());
            assertOutage(run);
            assertOutage(WalkingSkeletonIT.call("GET", "/api/v1/r/tasks/" + before.get(0), team.key(), null, Map.of()));
            assertOutage(WalkingSkeletonIT.call("GET", "/api/v1/r/workflows", fresh.key(), null, Map.of()));
            // The running tasks end on their agent meanwhile; what they report waits for the database.
            await().atMost(Duration.ofMinutes(1)).until(() -> AgentsIT.runs(team).stream().filter(r -> r.event().equals("end")).count() == before.size());
        } finally {
            stack.ns.databaseOutage(false);
        }

        awaitCompleted(team, before.size(), Duration.ofMinutes(2));
        String after = AgentsIT.run(team, "work", "{\"token\": \"after\"}");
        AgentsIT.await(team, after, "completed", Duration.ofMinutes(1));
        Map<String, Long> starts = new HashMap<>();
        AgentsIT.runs(team).stream().filter(r -> r.event().equals("start")).forEach(r -> starts.merge(r.task(), 1L, Long::sum));
        assertThat(starts).hasSize(before.size() + 1);
        assertThat(starts.values()).as("each task ran exactly once").allMatch(n -> n == 1);
        assertThat(WalkingSkeletonIT.call("GET", "/api/v1/r/workflows", fresh.key(), null, Map.of()).statusCode()).isEqualTo(200);
    }

    static void assertOutage(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).as("Retry-After of %s", r.body()).isPresent();
        JsonNode body = WalkingSkeletonIT.json(r.body());
        assertThat(body.path("error_message").asText()).contains("unavailable");
        assertThat(body.path("error_code").asText()).isNotBlank();
    }

    /** Submits a run, retrying while a service is restarting (the gateway answers 502 or 503 then). */
    static String runRetrying(AgentsIT.Team team, String parameters) {
        String[] id = new String[1];
        await("a run accepted").atMost(Duration.ofMinutes(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                HttpResponse<String> r = WalkingSkeletonIT.call("POST", "/api/v1/r/workflows/slug/work/run", team.key(),
                        "{\"parameters\":" + parameters + "}", Map.of());
                if (r.statusCode() == 202) {
                    id[0] = WalkingSkeletonIT.json(r.body()).path("task_id").asText();
                    return true;
                }
                assertThat(r.statusCode()).as(r.body()).isIn(502, 503);
                return false;
            } catch (java.io.IOException e) {
                return false; // the connection dropped mid-request: try again
            }
        });
        return id[0];
    }

    /** Follows a task's SSE stream to its terminal event, resuming with Last-Event-ID whenever the stream breaks. */
    static List<SseClient.Event> follow(AgentsIT.Team team, String task) {
        List<SseClient.Event> events = new ArrayList<>();
        await("the stream of " + task + " to its end").atMost(Duration.ofMinutes(4)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Long last = events.isEmpty() ? null : events.get(events.size() - 1).id();
                    SseClient sse = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + task + "/events", team.key(), last);
                    try {
                        sse.done.get(4, TimeUnit.MINUTES);
                    } catch (Exception e) {
                        // broken stream: resume at the next poll
                    }
                    events.addAll(sse.events);
                    return !events.isEmpty() && List.of("completed", "failed", "cancelled").contains(events.get(events.size() - 1).name());
                });
        return events;
    }

    static void awaitCompleted(AgentsIT.Team team, int total, Duration timeout) {
        await(total + " tasks completed").atMost(timeout).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> page = WalkingSkeletonIT.call("GET", "/api/v1/r/tasks?status=completed&per_page=1", team.key(), null, Map.of());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(WalkingSkeletonIT.json(page.body()).path("page_meta").path("total_count").asLong()).as("completed tasks").isEqualTo(total);
        });
    }
}
