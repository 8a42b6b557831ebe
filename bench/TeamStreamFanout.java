import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard's team stream under load: N open dashboards (N team streams, {@code GET /api/v1/r/tasks/events}) on one
 * gateway, while tasks of the team run; for each task's state changes the agent makes (running, completed), the
 * latency from the agent's message to every dashboard's receipt of the matching event, through hub, Kafka,
 * task-service (which applies the change and writes the event), Kafka and the gateway. One clock: the agent and the
 * dashboards are in this JVM. Run by bench/team-stream-fanout.sh.
 *
 * <p>args: gateway hub admin-token dashboards tasks interval-ms open-rate
 */
public class TeamStreamFanout {
    static final ObjectMapper JSON = CyberunJson.mapper();
    static final int WARM_UP_TASKS = 2;

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String hub = args[1];
        String adminToken = args[2];
        int dashboards = Integer.parseInt(args[3]);
        int tasks = Integer.parseInt(args[4]);
        int intervalMs = Integer.parseInt(args[5]);
        int openRate = Integer.parseInt(args[6]);
        HttpClient http = Bench.http(HttpClient.Version.HTTP_2, Duration.ofSeconds(20));
        String workflow = Bench.noopWorkflow("bench-team", "Bench team stream");
        String team = "bench-team-" + System.currentTimeMillis();
        JsonNode keys = Bench.bootstrap(http, gateway, adminToken, team, workflow);
        String sk = keys.path("integration_key").asText();
        String ak = keys.path("agent_key").asText();

        // When the agent sent each change: "<task>/running" and "<task>/completed" -> System.nanoTime().
        Map<String, Long> sent = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Double> running = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Double> completed = new ConcurrentLinkedQueue<>();
        // The first tasks also pay one-time costs (cold code paths, a fresh partition): their completions reported apart.
        Map<String, Boolean> warmUp = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Double> warm = new ConcurrentLinkedQueue<>();
        AtomicInteger open = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicLong completions = new AtomicLong();
        Bench.say("team %s: opening %d team streams at %d/s", team, dashboards, openRate);
        long openStarted = System.nanoTime();
        for (int i = 0; i < dashboards; i++) {
            long wait = openStarted + (long) (i * 1e9 / openRate) - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            http.sendAsync(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/tasks/events"))
                    .header("Authorization", "Bearer " + sk).header("Accept", "text/event-stream").build(), info -> {
                        (info.statusCode() == 200 ? open : refused).incrementAndGet();
                        return HttpResponse.BodySubscribers.fromLineSubscriber(new Reader(sent, running, completed, completions, warmUp, warm));
                    });
            if ((i + 1) % 250 == 0) {
                Bench.say("%d requested, %d streaming", i + 1, open.get());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (open.get() + refused.get() < dashboards && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Bench.say("%d streaming, %d refused; gateway: %s", open.get(), refused.get(), SseFanout.gatewayMemory(http));

        BenchAgent agent = BenchAgent.connect(http, hub, ak, "bench-team-agent", List.of("bench-team", "exec"), 8, (a, d, at) -> run(a, d, sent));
        for (int i = 0; i < tasks; i++) {
            HttpResponse<String> ran = http.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/workflows/slug/bench-team/run"))
                    .header("Authorization", "Bearer " + sk).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\":{}}")).build(), HttpResponse.BodyHandlers.ofString());
            if (i < WARM_UP_TASKS) {
                warmUp.put(JSON.readTree(ran.body()).path("task_id").asText(), true);
            }
            Thread.sleep(intervalMs);
        }
        long expected = (long) open.get() * tasks;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (completions.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        String memory = SseFanout.gatewayMemory(http);
        agent.close();

        List<Double> r = sorted(running);
        List<Double> c = sorted(completed);
        List<Double> w = sorted(warm);
        System.out.println();
        System.out.println("| dashboards streaming | tasks | running: received / expected, p50 / p99 (ms) | completed: received / expected, p50 / p99 / max (ms) | completed after task " + WARM_UP_TASKS + ": p50 / p99 (ms) | gateway after |");
        System.out.println("| ---: | ---: | --- | --- | --- | --- |");
        System.out.printf("| %d | %d | %d / %d, %.1f / %.1f | %d / %d, %.1f / %.1f / %.1f | %.1f / %.1f | %s |%n", open.get(), tasks, r.size(), expected,
                Bench.pct(r, 50), Bench.pct(r, 99), c.size(), expected, Bench.pct(c, 50), Bench.pct(c, 99),
                c.isEmpty() ? Double.NaN : c.get(c.size() - 1), Bench.pct(w, 50), Bench.pct(w, 99), memory);
        System.out.printf("RESULT p50_ms=%.1f p99_ms=%.1f%n", Bench.pct(c, 50), Bench.pct(c, 99));
        System.exit(refused.get() == 0 && c.size() == expected ? 0 : 1);
    }

    static List<Double> sorted(ConcurrentLinkedQueue<Double> values) {
        List<Double> list = new ArrayList<>(values);
        list.sort(null);
        return list;
    }

    /** One task: accepted (it becomes running), then completed a moment later, each change stamped as it is sent. */
    static void run(BenchAgent agent, HubMessage.Dispatch d, Map<String, Long> sent) {
        sent.put(d.taskId() + "/running", System.nanoTime());
        agent.send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sent.put(d.taskId() + "/completed", System.nanoTime());
        agent.send(new AgentMessage.TaskCompleted(d.taskId(), d.attempt(), List.of()));
    }

    /** One dashboard: the time from the agent's message to this stream's running and completed events. */
    static final class Reader extends Bench.SseReader {
        private final Map<String, Long> sent;
        private final ConcurrentLinkedQueue<Double> running;
        private final ConcurrentLinkedQueue<Double> completed;
        private final AtomicLong completions;
        private final Map<String, Boolean> warmUp;
        private final ConcurrentLinkedQueue<Double> warm;

        Reader(Map<String, Long> sent, ConcurrentLinkedQueue<Double> running, ConcurrentLinkedQueue<Double> completed, AtomicLong completions,
               Map<String, Boolean> warmUp, ConcurrentLinkedQueue<Double> warm) {
            this.warmUp = warmUp;
            this.warm = warm;
            this.sent = sent;
            this.running = running;
            this.completed = completed;
            this.completions = completions;
        }

        @Override
        void data(String event, String line, long now) {
            if (!("completed".equals(event) || "status".equals(event) && line.contains("\"status\":\"running\""))) {
                return;
            }
            int at = line.indexOf("\"task_id\":\"");
            if (at < 0) {
                return;
            }
            String task = line.substring(at + 11, line.indexOf('"', at + 11));
            boolean done = "completed".equals(event);
            Long stamp = sent.get(task + (done ? "/completed" : "/running"));
            if (stamp != null) {
                (done ? completed : running).add((now - stamp) / 1e6);
                if (done && !warmUp.containsKey(task)) {
                    warm.add((now - stamp) / 1e6);
                }
            }
            if (done) {
                completions.incrementAndGet();
            }
        }
    }
}
