package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.json.CyberunJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing accepted is lost and no job runs twice when task-service dies: {@code kill -9} between accepting a run
 * and publishing it, and in the middle of a burst of runs. The agent's command records every run it makes, so
 * "exactly once" is counted where the work happens.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedStack.class)
class OutboxCrashIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static CyberunStack stack;
    static String key;
    static Path runs;

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        Files.createDirectories(stack.logs);
        runs = stack.logs.resolve("crash-runs.log");
        Files.deleteIfExists(runs);
        Files.createFile(runs);
        Path script = stack.logs.resolve("count-runs.sh");
        Files.writeString(script, """
                #!/usr/bin/env bash
                set -euo pipefail
                echo "$CYBERUN_TASK_ID" >> "$CYBERUN_RUNS_FILE"
                sleep 0.5
                echo done > "$CYBERUN_OUTPUT_DIR/done.txt"
                """);
        String workflow = """
                {"workflow_slug": "count-runs", "display_name": "Count runs", "tool_type": "exec",
                 "workflow_json": {"command": "count-runs"}, "required_labels": ["exec", "crash"], "max_retries": 0}""";
        JsonNode team = WalkingSkeletonIT.bootstrap(stack, "Crash team", "erin@example.com", workflow);
        key = team.path("integration_key").asText();
        stack.agent("crash-agent", team.path("agent_key").asText(), "exec, crash", Map.of("count-runs", script),
                Map.of("CYBERUN_RUNS_FILE", runs.toString()));
    }

    @Test
    void aRunAcceptedButNotYetPublishedWhenTaskServiceIsKilledStillRunsExactlyOnce() throws Exception {
        // Publishing paused: what task-service accepts now is committed to its log and waits there.
        stack.restartTaskService(false, Map.of("cyberun.outbox.paused", "true"));
        String task = run();
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(status(task)).as("nobody saw the task: it was never published").isEqualTo("pending");
            assertThat(runsOf(task)).isZero();
        });

        stack.restartTaskService(true, Map.of("cyberun.outbox.paused", "false"));
        awaitStatus(List.of(task), "completed", Duration.ofSeconds(90));
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(runsOf(task)).as("runs of " + task).isEqualTo(1));
    }

    @Test
    void killingTaskServiceInTheMiddleOfABurstLosesNoTaskAndRunsNoneTwice() throws Exception {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            tasks.add(run());
            if (i == 9) {
                // Some runs are published, some only committed, some mid-flight: kill -9, then restart.
                Thread.ofVirtual().start(() -> {
                    try {
                        stack.restartTaskService(true, Map.of());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        awaitStatus(tasks, "completed", Duration.ofSeconds(180));
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (String task : tasks) {
                assertThat(runsOf(task)).as("runs of " + task).isEqualTo(1);
            }
        });
    }

    /** Submits a run, retrying while task-service is restarting (the gateway answers 503 then). */
    static String run() {
        AtomicReference<String> task = new AtomicReference<>();
        Awaitility.await("task-service to accept the run").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/r/workflows/slug/count-runs/run"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 202) {
                task.set(CyberunJson.mapper().readTree(r.body()).path("task_id").asText());
                return true;
            }
            assertThat(r.statusCode()).as(r.body()).isIn(502, 503);
            return false;
        });
        return task.get();
    }

    static String status(String task) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gateway.url() + "/api/v1/r/tasks/" + task))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? CyberunJson.mapper().readTree(r.body()).path("status").asText() : "unreachable:" + r.statusCode();
    }

    /** Until every task has the status; fails at once when one ends otherwise. */
    static void awaitStatus(List<String> tasks, String wanted, Duration timeout) {
        List<String> waiting = new ArrayList<>(tasks);
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(300)).until(() -> {
                for (String t : List.copyOf(waiting)) {
                    String s = status(t);
                    if (s.equals(wanted)) {
                        waiting.remove(t);
                    } else if (s.equals("failed") || s.equals("cancelled")) {
                        throw new AssertionError("task " + t + " ended " + s);
                    }
                }
                return waiting.isEmpty();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(waiting.size() + " task(s) not " + wanted + " within " + timeout.toSeconds() + " s: " + waiting);
        }
    }

    static long runsOf(String task) throws Exception {
        return Files.readAllLines(runs).stream().filter(task::equals).count();
    }
}
