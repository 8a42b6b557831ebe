import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.ProgressInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * SSE fan-out: how many concurrent subscribers of one task a gateway holds, and the latency of each progress event
 * from the agent's emit (an agent in this process, over the real hub WebSocket) to every subscriber's receipt,
 * through hub, Kafka, task-service (which numbers the event), Kafka again and the gateway. One clock: the agent and
 * the subscribers are in this JVM. Subscribers open at a pace under the key's request limit. Run by
 * bench/sse-fanout.sh.
 *
 * <p>args: gateway hub admin-token subscribers events interval-ms open-rate
 */
public class SseFanout {
    static final ObjectMapper JSON = CyberunJson.mapper();
    static final int WARM_UP_EVENTS = 2;

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String hub = args[1];
        String adminToken = args[2];
        int subscribers = Integer.parseInt(args[3]);
        int events = Integer.parseInt(args[4]);
        int intervalMs = Integer.parseInt(args[5]);
        int openRate = Integer.parseInt(args[6]);
        HttpClient http = Bench.http(HttpClient.Version.HTTP_2, Duration.ofSeconds(20));
        String workflow = Bench.noopWorkflow("bench-sse", "Bench SSE");
        String team = "bench-sse-" + System.currentTimeMillis();
        JsonNode keys = Bench.bootstrap(http, gateway, adminToken, team, workflow);
        String sk = keys.path("integration_key").asText();
        String ak = keys.path("agent_key").asText();

        // The task waits (no agent yet) while the subscribers connect.
        HttpResponse<String> run = http.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/workflows/slug/bench-sse/run"))
                .header("Authorization", "Bearer " + sk).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\":{}}")).build(), HttpResponse.BodyHandlers.ofString());
        String task = JSON.readTree(run.body()).path("task_id").asText();
        Bench.say("team %s, task %s; opening %d SSE subscribers at %d/s", team, task, subscribers, openRate);

        AtomicLongArray emitted = new AtomicLongArray(events + 1);
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        // The first events also pay one-time costs (a fresh Kafka partition, cold code paths): reported apart.
        ConcurrentLinkedQueue<Double> warm = new ConcurrentLinkedQueue<>();
        AtomicInteger open = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        java.util.Map<Integer, Integer> refusals = new java.util.concurrent.ConcurrentHashMap<>();
        CountDownLatch finished = new CountDownLatch(subscribers);
        long openStarted = System.nanoTime();
        for (int i = 0; i < subscribers; i++) {
            long due = openStarted + (long) (i * 1e9 / openRate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            http.sendAsync(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/tasks/" + task + "/events"))
                            .header("Authorization", "Bearer " + sk).header("Accept", "text/event-stream").build(),
                    info -> {
                        if (info.statusCode() == 200) {
                            open.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                            refusals.merge(info.statusCode(), 1, Integer::sum);
                        }
                        return HttpResponse.BodySubscribers.fromLineSubscriber(new Reader(emitted, latencies, warm));
                    })
                    .whenComplete((r, e) -> finished.countDown());
            if ((i + 1) % 1000 == 0) {
                Bench.say("%d requested, %d streaming", i + 1, open.get());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (open.get() + refused.get() < subscribers && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Bench.say("%d streaming, %d refused %s; gateway: %s", open.get(), refused.get(), refusals, gatewayMemory(http));

        BenchAgent agent = BenchAgent.connect(http, hub, ak, "bench-sse-agent", List.of("bench-sse", "exec"), 1,
                (a, d, at) -> runTask(a, d, events, intervalMs, emitted));
        boolean done = finished.await(120 + (long) events * intervalMs / 1000, TimeUnit.SECONDS);
        String memory = gatewayMemory(http);
        agent.close();

        List<Double> sorted = new ArrayList<>(latencies);
        sorted.sort(null);
        List<Double> warmSorted = new ArrayList<>(warm);
        warmSorted.sort(null);
        long expected = (long) open.get() * events;
        System.out.println();
        System.out.println("| subscribers streaming | progress events | deliveries measured / expected | p50 (ms) | p99 (ms) | max (ms) "
                + "| p50 / p99 after event " + WARM_UP_EVENTS + " (ms) | gateway after |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        System.out.printf("| %d | %d | %d / %d | %.1f | %.1f | %.1f | %.1f / %.1f | %s |%n", open.get(), events, sorted.size(), expected,
                Bench.pct(sorted, 50), Bench.pct(sorted, 99), sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1),
                Bench.pct(warmSorted, 50), Bench.pct(warmSorted, 99), memory);
        Bench.say("%s", done ? "every stream closed after the terminal event" : "NOT every stream ended in time");
        System.exit(done && refused.get() == 0 ? 0 : 1);
    }

    /** The one task: a progress report every interval, stamped when sent, then completion. */
    static void runTask(BenchAgent agent, HubMessage.Dispatch d, int events, int intervalMs, AtomicLongArray emitted) {
        agent.send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
        try {
            Thread.sleep(1000); // the running status reaches the subscribers first
            for (int step = 1; step <= events; step++) {
                emitted.set(step, System.nanoTime());
                agent.send(new AgentMessage.TaskProgress(d.taskId(), d.attempt(),
                        new ProgressInfo((double) step / events, null, step, events, null, "bench step " + step)));
                Thread.sleep(intervalMs);
            }
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        agent.send(new AgentMessage.TaskCompleted(d.taskId(), d.attempt(), List.of()));
    }

    /**
     * The gateway's JVM heap in use and its subscriber gauge, from the metrics on its management port
     * ({@code CYBERUN_GATEWAY_MANAGEMENT_URL}, by default the local stack's 9080).
     */
    static String gatewayMemory(HttpClient http) {
        String management = System.getenv().getOrDefault("CYBERUN_GATEWAY_MANAGEMENT_URL", "http://127.0.0.1:9080");
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(management + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            double heap = 0;
            String subs = "?";
            String teamSubs = "?";
            for (String line : metrics.split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } else if (line.startsWith("cyberun_gateway_sse_subscribers")) {
                    subs = line.substring(line.lastIndexOf(' ') + 1);
                } else if (line.startsWith("cyberun_gateway_sse_team_subscribers")) {
                    teamSubs = line.substring(line.lastIndexOf(' ') + 1);
                }
            }
            return String.format("heap used %.0f MB, %s task and %s team subscribers", heap / 1048576, subs, teamSubs);
        } catch (Exception e) {
            return "metrics unavailable: " + e.getMessage();
        }
    }

    /** One subscriber: for each progress event, the time since the agent emitted that step. */
    static final class Reader extends Bench.SseReader {
        private final AtomicLongArray emitted;
        private final ConcurrentLinkedQueue<Double> latencies;
        private final ConcurrentLinkedQueue<Double> warm;

        Reader(AtomicLongArray emitted, ConcurrentLinkedQueue<Double> latencies, ConcurrentLinkedQueue<Double> warm) {
            this.warm = warm;
            this.emitted = emitted;
            this.latencies = latencies;
        }

        @Override
        void data(String event, String line, long now) {
            int at = line.indexOf("\"step_current\":");
            if (!"progress".equals(event) || at <= 0) {
                return;
            }
            int end = line.indexOf(',', at);
            int step = Integer.parseInt(line.substring(at + 15, end < 0 ? line.indexOf('}', at) : end).trim());
            long sent = emitted.get(step);
            if (sent > 0) {
                latencies.add((now - sent) / 1e6);
                if (step > WARM_UP_EVENTS) {
                    warm.add((now - sent) / 1e6);
                }
            }
        }
    }
}
