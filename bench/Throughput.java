import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sustained throughput, submit → completed: runs are submitted through the gateway as fast as the platform takes
 * them, with at most WINDOW tasks unfinished at once (a closed loop, so queues stay bounded and the figure is what
 * the platform sustains, not how fast a backlog grows). The agents are protocol agents in this JVM (real WebSockets
 * to the hub) that acknowledge and complete every dispatch at once. A task counts as completed when its
 * {@code completed} event is on {@code task-events} (committed by task-service), read by an observer consumer.
 * After a warm-up, it measures for a fixed time: tasks/s, run → dispatch and run → completed p50/p99, runs per task
 * (a task dispatched twice would show), and CPU milliseconds per task for every platform process.
 *
 * <p>args: gateway hub admin-token kafka-bootstrap topic teams agents-per-team capacity window warmup-s measure-s pids
 */
public class Throughput {
    static final ObjectMapper JSON = CyberunJson.mapper();

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String hub = args[1];
        String adminToken = args[2];
        String kafka = args[3];
        String topic = args[4];
        int teamCount = Integer.parseInt(args[5]);
        int agentsPerTeam = Integer.parseInt(args[6]);
        int capacity = Integer.parseInt(args[7]);
        int window = Integer.parseInt(args[8]);
        int warmupSeconds = Integer.parseInt(args[9]);
        int measureSeconds = Integer.parseInt(args[10]);
        String pids = args.length > 11 ? args[11] : "";
        HttpClient http = Bench.http(HttpClient.Version.HTTP_1_1, Duration.ofSeconds(10));

        String workflow = """
                {"workflow_slug": "bench-noop", "display_name": "Bench no-op", "tool_type": "exec",
                 "workflow_json": {"command": "noop"}, "parameters": [{"key": "token", "type": "string", "required": true}],
                 "required_labels": ["bench"]}""";
        List<Bench.Team> teams = Bench.teams(http, gateway, adminToken, "bench-thr", teamCount, workflow);
        Bench.say("%d teams; connecting %d agents each (capacity %d) to %s", teams.size(), agentsPerTeam, capacity, hub);

        Map<String, Long> submittedAt = new ConcurrentHashMap<>();   // token -> nanos
        Map<String, Long> dispatchedAt = new ConcurrentHashMap<>();  // token -> nanos (first dispatch)
        Map<UUID, String> tokenOf = new ConcurrentHashMap<>();       // task -> token
        Map<UUID, Long> completedAt = new ConcurrentHashMap<>();     // task -> nanos
        Map<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();   // task -> dispatches acknowledged
        Semaphore unfinished = new Semaphore(window);
        AtomicLong completedCount = new AtomicLong();
        AtomicLong refused = new AtomicLong();

        List<BenchAgent> agents = new ArrayList<>();
        for (Bench.Team team : teams) {
            for (int i = 0; i < agentsPerTeam; i++) {
                agents.add(BenchAgent.connect(http, hub, team.ak(), "bench-agent-" + i, List.of("bench", "exec"), capacity, (agent, d, at) -> {
                    String token = d.spec().parameters().path("token").asText();
                    dispatchedAt.putIfAbsent(token, at);
                    tokenOf.putIfAbsent(d.taskId(), token);
                    runs.computeIfAbsent(d.taskId(), k -> new AtomicInteger()).incrementAndGet();
                    agent.send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
                    agent.send(new AgentMessage.TaskCompleted(d.taskId(), d.attempt(), List.of()));
                }));
            }
        }
        TaskEventWatch watch = new TaskEventWatch(kafka, topic, (task, type, at) -> {
            if (type.equals("completed") && completedAt.putIfAbsent(task, at) == null) {
                completedCount.incrementAndGet();
                unfinished.release();
            }
        });
        Thread.sleep(2000); // the scheduler learns of every agent

        AtomicInteger sequence = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds + measureSeconds);
        int submitters = Math.min(window, 128);
        List<Thread> loops = new ArrayList<>();
        for (int s = 0; s < submitters; s++) {
            loops.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        if (!unfinished.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        int n = sequence.getAndIncrement();
                        Bench.Team team = teams.get(n % teams.size());
                        String token = "t" + n;
                        long t0 = System.nanoTime();
                        submittedAt.put(token, t0);
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/workflows/slug/bench-noop/run"))
                                .header("Authorization", "Bearer " + team.sk()).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\":{\"token\":\"" + token + "\"}}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 202) {
                            submittedAt.remove(token);
                            unfinished.release();
                            if (refused.incrementAndGet() % 100 == 1) {
                                System.err.println("run refused: HTTP " + r.statusCode() + " " + r.body());
                            }
                            Thread.sleep(r.statusCode() == 429 ? 200 : 50);
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        System.err.println("run request failed: " + e);
                    }
                }
            }));
        }

        Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
        Map<String, Long> cpuBefore = Bench.cpuMillis(pids);
        long doneBefore = completedCount.get();
        long windowStart = System.nanoTime();
        Bench.say("warm-up done (%d tasks completed); measuring for %d s", doneBefore, measureSeconds);
        for (int i = 1; i <= measureSeconds; i++) {
            Thread.sleep(1000);
            if (i % 10 == 0) {
                Bench.say("%d s: %d tasks completed in the window", i, completedCount.get() - doneBefore);
            }
        }
        long doneAfter = completedCount.get();
        long windowEnd = System.nanoTime();
        Map<String, Long> cpuAfter = Bench.cpuMillis(pids);
        for (Thread t : loops) {
            t.join();
        }
        // Let what was submitted finish, so latencies and run counts cover the window's tasks.
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (completedCount.get() < sequence.get() - refused.get() && System.nanoTime() < drainUntil) {
            Thread.sleep(100);
        }
        watch.close();

        double seconds = (windowEnd - windowStart) / 1e9;
        long tasks = doneAfter - doneBefore;
        List<Double> toDispatch = new ArrayList<>();
        List<Double> toComplete = new ArrayList<>();
        int twice = 0;
        for (Map.Entry<UUID, String> e : tokenOf.entrySet()) {
            Long t0 = submittedAt.get(e.getValue());
            Long done = completedAt.get(e.getKey());
            if (t0 == null || t0 < windowStart || t0 > windowEnd) {
                continue;
            }
            Long d = dispatchedAt.get(e.getValue());
            if (d != null) {
                toDispatch.add((d - t0) / 1e6);
            }
            if (done != null) {
                toComplete.add((done - t0) / 1e6);
            }
            if (runs.get(e.getKey()).get() > 1) {
                twice++;
            }
        }
        toDispatch.sort(null);
        toComplete.sort(null);
        System.out.println();
        System.out.println("| tasks/s (submit → completed) | tasks in window | run → dispatch p50 / p99 (ms) | run → completed p50 / p99 (ms) | refused runs | dispatched more than once |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        System.out.printf("| %.0f | %d | %.1f / %.1f | %.1f / %.1f | %d | %d |%n", tasks / seconds, tasks,
                Bench.pct(toDispatch, 50), Bench.pct(toDispatch, 99), Bench.pct(toComplete, 50), Bench.pct(toComplete, 99), refused.get(), twice);
        double cpu = Bench.printCpuPerTask(cpuBefore, cpuAfter, tasks);
        System.out.printf("RESULT tasks_per_second=%.1f cpu_ms_per_task=%.2f%n", tasks / seconds, cpu);
        agents.forEach(BenchAgent::close);
        System.exit(0);
    }
}
