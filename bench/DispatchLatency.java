import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.AgentProtocol;
import io.cyberun.contracts.protocol.HubMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
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
 * <p>args: gateway hub admin-token rate count agents capacity warmup
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
        String team = "bench-" + System.currentTimeMillis();
        HttpResponse<String> boot = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/admin/bootstrap"))
                .header("X-Cyberun-Admin-Token", adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"team_name\":\"" + team + "\",\"owner_email\":\"" + team
                        + "@example.com\",\"workflows\":[" + workflow + "]}")).build(), HttpResponse.BodyHandlers.ofString());
        if (boot.statusCode() != 200) {
            throw new IllegalStateException("bootstrap answered HTTP " + boot.statusCode() + ": " + boot.body());
        }
        JsonNode keys = JSON.readTree(boot.body());
        String sk = keys.path("integration_key").asText();
        String ak = keys.path("agent_key").asText();
        say("team %s; connecting %d agents (capacity %d each) to %s", team, agents, capacity, hub);

        Map<String, Long> submitted = new ConcurrentHashMap<>();
        Map<String, Long> dispatched = new ConcurrentHashMap<>();
        CountDownLatch allDispatched = new CountDownLatch(count + warmup);
        List<BenchAgent> connected = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            connected.add(BenchAgent.connect(hub, ak, "bench-agent-" + i, capacity, (token, at) -> {
                if (dispatched.putIfAbsent(token, at) == null) {
                    allDispatched.countDown();
                }
            }));
        }
        Thread.sleep(2000); // let the scheduler see every agent

        say("submitting %d warm-up runs, then %d measured runs at %.1f/s", warmup, count, rate);
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
        System.out.printf("| %.0f | %d | %d | %.0f | %.0f | %.0f | %.0f | %d / %d |%n", rate, count, latency.size(), pct(latency, 50), pct(latency, 90),
                pct(latency, 99), latency.isEmpty() ? Double.NaN : latency.get(latency.size() - 1), pctL(postMillis, 50), pctL(postMillis, 99));
        say("%d runs in %.1f s (%d agents x %d slots)%s", count + warmup, seconds, agents, capacity,
                done ? "" : "; " + missing + " measured runs were NOT dispatched in time");
        connected.forEach(BenchAgent::close);
        System.exit(done ? 0 : 1);
    }

    static double pct(List<Double> sorted, int p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static long pctL(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static void say(String format, Object... args) {
        System.out.println("[bench] " + String.format(format, args));
    }

    interface OnDispatch {
        void dispatched(String token, long atNanos);
    }

    /** An agent that acknowledges and completes every dispatch at once. */
    static final class BenchAgent implements WebSocket.Listener {
        private final OnDispatch onDispatch;
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        BenchAgent(OnDispatch onDispatch) {
            this.onDispatch = onDispatch;
        }

        static BenchAgent connect(String hub, String key, String id, int capacity, OnDispatch onDispatch) throws Exception {
            BenchAgent agent = new BenchAgent(onDispatch);
            agent.socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + key)
                    .buildAsync(URI.create(hub + AgentProtocol.PATH), agent).get(10, TimeUnit.SECONDS);
            agent.send(new AgentMessage.Hello(AgentProtocol.VERSION, id, List.of("bench", "exec"), "bench", "exec", null, capacity, null, List.of()));
            return agent;
        }

        synchronized void send(AgentMessage m) {
            try {
                socket.sendText(JSON.writeValueAsString(m), true).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                long at = System.nanoTime();
                try {
                    HubMessage m = JSON.readValue(partial.toString(), HubMessage.class);
                    if (m instanceof HubMessage.Dispatch d) {
                        onDispatch.dispatched(d.spec().parameters().path("token").asText(), at);
                        Thread.ofVirtual().start(() -> {
                            send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
                            send(new AgentMessage.TaskCompleted(d.taskId(), d.attempt(), List.of()));
                        });
                    }
                } catch (Exception e) {
                    System.err.println("bad message: " + e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bench done");
        }
    }
}
