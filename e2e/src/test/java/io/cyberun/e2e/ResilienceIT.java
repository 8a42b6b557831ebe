package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

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

        Thread.sleep(800);
        stack.restartScheduler(true);
        Thread.sleep(500);
        stack.restartTaskService(true, Map.of());
        while (next[0] < total) {
            Thread.sleep(50);
        }
        clock.shutdown();
        for (Thread t : submitters) {
            t.join(Duration.ofMinutes(3));
        }
        assertThat(accepted).hasSize(total).doesNotHaveDuplicates();

        awaitCompleted(team, total, Duration.ofMinutes(5));
        Thread.sleep(2000);
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
            Thread.sleep(100);
        }
        // Two run, the rest wait for a slot.
        AgentsIT.awaitRun(team, ids.get(0), "start");
        Thread.sleep(1500);
        long wipedAt = System.currentTimeMillis() * 1000;
        Instant wiped = Instant.now();
        stack.ns.loseRedisState();

        // The agent is listed again, and waiting tasks start again, within ten seconds.
        Instant listedBy = wiped.plusSeconds(10);
        boolean listed = false;
        while (!listed && Instant.now().isBefore(listedBy)) {
            listed = WalkingSkeletonIT.call("GET", "/api/v1/r/agents", team.key(), null, Map.of()).body().contains("amnesiac");
            Thread.sleep(200);
        }
        assertThat(listed).as("the agent is in the agent list again within 10 s of the loss").isTrue();
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
            Thread.sleep(4000);
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
        Instant deadline = Instant.now().plusSeconds(120);
        while (true) {
            try {
                HttpResponse<String> r = WalkingSkeletonIT.call("POST", "/api/v1/r/workflows/slug/work/run", team.key(),
                        "{\"parameters\":" + parameters + "}", Map.of());
                if (r.statusCode() == 202) {
                    return WalkingSkeletonIT.json(r.body()).path("task_id").asText();
                }
                assertThat(r.statusCode()).as(r.body()).isIn(502, 503);
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                // the connection dropped mid-request: try again
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the run was not accepted within 120 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Follows a task's SSE stream to its terminal event, resuming with Last-Event-ID whenever the stream breaks. */
    static List<SseClient.Event> follow(AgentsIT.Team team, String task) {
        List<SseClient.Event> events = new ArrayList<>();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            Long last = events.isEmpty() ? null : events.get(events.size() - 1).id();
            SseClient sse = SseClient.open(stack.gateway.url() + "/api/v1/r/tasks/" + task + "/events", team.key(), last);
            try {
                sse.done.get(4, TimeUnit.MINUTES);
            } catch (Exception e) {
                // broken stream: resume below
            }
            events.addAll(sse.events);
            if (!events.isEmpty() && List.of("completed", "failed", "cancelled").contains(events.get(events.size() - 1).name())) {
                return events;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return events;
    }

    static void awaitCompleted(AgentsIT.Team team, int total, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        long done = 0;
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> page = WalkingSkeletonIT.call("GET", "/api/v1/r/tasks?status=completed&per_page=1", team.key(), null, Map.of());
            if (page.statusCode() == 200) {
                done = WalkingSkeletonIT.json(page.body()).path("page_meta").path("total_count").asLong();
                if (done == total) {
                    return;
                }
            }
            Thread.sleep(500);
        }
        assertThat(done).as("completed tasks").isEqualTo(total);
    }
}
