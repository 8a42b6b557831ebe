import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Dispatch latency: the time from a run request (just before {@code POST /r/workflows/slug/{slug}/run} is sent)
 * to an agent receiving the task's dispatch, at a steady submission rate, through the real gateway, task-service,
 * Kafka, scheduler and hub. The agents are in this process (they speak the agent protocol over real WebSockets, so
 * both timestamps come from one clock) and finish each task at once, so the numbers are the platform's own
 * overhead. Run by bench/dispatch-latency.sh.
 *
 * Runs are spread over as many teams as the rate needs (each key keeps the platform's own limit of 20 runs/s), each with
 * its own agents.
 *
 * <p>args: gateway hub admin-token rate count agents-per-team capacity warmup
 */
public class DispatchLatency {
    static final ObjectMapper JSON = CyberunJson.mapper();
    static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String hub = args[1];
        String adminToken = args[2];
        double rate = Double.parseDouble(args[3]);
        int count = Integer.parseInt(args[4]);
        int agents = Integer.parseInt(args[5]);
        int capacity = Integer.parseInt(args[6]);
        int warmup = Integer.parseInt(args[7]);

        String workflow = """
                {"workflow_slug": "bench-noop", "display_name": "Bench no-op", "tool_type": "exec",
                 "workflow_json": {"command": "noop"}, "parameters": [{"key": "token", "type": "string", "required": true}],
                 "required_labels": ["bench"]}""";
        List<Bench.Team> teams = Bench.teams(HTTP, gateway, adminToken, "bench-lat", Math.max(1, (int) Math.ceil(rate / 15.0)), workflow);
        Bench.say("%d teams; connecting %d agents each (capacity %d) to %s", teams.size(), agents, capacity, hub);

        Map<String, Long> submitted = new ConcurrentHashMap<>();
        Map<String, Long> dispatched = new ConcurrentHashMap<>();
        CountDownLatch allDispatched = new CountDownLatch(count + warmup);
        List<BenchAgent> connected = new ArrayList<>();
        for (int i = 0; i < agents * teams.size(); i++) {
            connected.add(BenchAgent.connect(HTTP, hub, teams.get(i % teams.size()).ak(), "bench-agent-" + i, List.of("bench", "exec"), capacity, (agent, d, at) -> {
                if (dispatched.putIfAbsent(d.spec().parameters().path("token").asText(), at) == null) {
                    allDispatched.countDown();
                }
                // Acknowledge and finish at once: the numbers are the platform's own overhead.
                agent.send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
                agent.send(new AgentMessage.TaskCompleted(d.taskId(), d.attempt(), List.of()));
            }));
        }
        Thread.sleep(3000); // let the scheduler see every agent

        Bench.say("submitting %d warm-up runs, then %d measured runs at %.1f/s", warmup, count, rate);
        List<Long> postMillis = new ArrayList<>();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch allSubmitted = new CountDownLatch(count + warmup);
        long periodNanos = (long) (1e9 / rate);
        int[] next = {0};
        long started = System.nanoTime();
        clock.scheduleAtFixedRate(() -> {
            int n = next[0]++;
            if (n >= count + warmup) {
                return;
            }
            String token = (n < warmup ? "w" : "m") + n;
            String sk = teams.get(n % teams.size()).sk();
            long t0 = System.nanoTime();
            submitted.put(token, t0);
            HTTP.sendAsync(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/workflows/slug/bench-noop/run"))
                            .header("Authorization", "Bearer " + sk).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\":{\"token\":\"" + token + "\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 202) {
                            System.err.println("run request failed: " + (e != null ? e : r.statusCode() + " " + r.body()));
                        } else if (token.startsWith("m")) {
                            synchronized (postMillis) {
                                postMillis.add((System.nanoTime() - t0) / 1_000_000);
                            }
                        }
                        allSubmitted.countDown();
                    });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        boolean done = allDispatched.await(Math.max(120, (long) ((count + warmup) / rate) * 3), TimeUnit.SECONDS);
        allSubmitted.await(30, TimeUnit.SECONDS);
        clock.shutdownNow();
        double seconds = (System.nanoTime() - started) / 1e9;

        List<Double> latency = new ArrayList<>();
        for (Map.Entry<String, Long> d : dispatched.entrySet()) {
            if (d.getKey().startsWith("m")) {
                latency.add((d.getValue() - submitted.get(d.getKey())) / 1e6);
            }
        }
        latency.sort(null);
        postMillis.sort(null);
        int missing = count - latency.size();
        System.out.println();
        System.out.printf("| rate (runs/s) | runs measured | dispatched | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | run request p50 / p99 (ms) |%n");
        System.out.printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |%n");
        System.out.printf("| %.0f | %d | %d | %.0f | %.0f | %.0f | %.0f | %d / %d |%n", rate, count, latency.size(), Bench.pct(latency, 50), Bench.pct(latency, 90),
                Bench.pct(latency, 99), latency.isEmpty() ? Double.NaN : latency.get(latency.size() - 1), Bench.pct(postMillis, 50), Bench.pct(postMillis, 99));
        System.out.printf("RESULT p50_ms=%.1f p99_ms=%.1f%n", Bench.pct(latency, 50), Bench.pct(latency, 99));
        Bench.say("%d runs in %.1f s (%d agents x %d slots)%s", count + warmup, seconds, agents * teams.size(), capacity,
                done ? "" : "; " + missing + " measured runs were NOT dispatched in time");
        connected.forEach(BenchAgent::close);
        System.exit(done ? 0 : 1);
    }
}
