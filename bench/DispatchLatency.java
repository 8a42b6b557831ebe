import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
 * <p>Each measured run is also split into its hops by the Kafka records' timestamps (one clock, this machine's):
 * request → {@code submitted} produced (gateway, task-service, its commit and outbox), {@code submitted} →
 * {@code dispatch} produced (the first Kafka hop and the scheduler), {@code dispatch} → agent (the second hop, the hub
 * and the WebSocket).
 *
 * <p>The CPU each platform process spent while the measured runs flowed is printed per run, with this load
 * generator's own (it shares the machine's cores).
 *
 * <p>args: gateway hub admin-token rate count agents-per-team capacity warmup kafka-bootstrap topic-prefix [pids]
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
        String kafka = args[8];
        String topicPrefix = args.length > 9 ? args[9] : "";
        String pids = args.length > 10 ? args[10] : "";

        String workflow = """
                {"workflow_slug": "bench-noop", "display_name": "Bench no-op", "tool_type": "exec",
                 "workflow_json": {"command": "noop"}, "parameters": [{"key": "token", "type": "string", "required": true}],
                 "required_labels": ["bench"]}""";
        List<Bench.Team> teams = Bench.teams(HTTP, gateway, adminToken, "bench-lat", Math.max(1, (int) Math.ceil(rate / 15.0)), workflow);
        Bench.say("%d teams; connecting %d agents each (capacity %d) to %s", teams.size(), agents, capacity, hub);

        Map<String, Long> submitted = new ConcurrentHashMap<>();
        Map<String, Long> dispatched = new ConcurrentHashMap<>();
        // Wall-clock milliseconds of each measured run: request sent, submitted produced, dispatch produced, received.
        Map<String, Long> requestedAt = new ConcurrentHashMap<>();
        Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        Map<String, String> tokenOf = new ConcurrentHashMap<>();
        Map<String, Long> submittedProduced = new ConcurrentHashMap<>();
        Map<String, Long> submittedRead = new ConcurrentHashMap<>();
        Map<String, Long> dispatchProduced = new ConcurrentHashMap<>();
        Map<String, Long> dispatchRead = new ConcurrentHashMap<>();
        TaskEventWatch events = new TaskEventWatch(kafka, topicPrefix + "task-events", "io.cyberun.task.", (type, produced, read, value) -> {
            if (type.equals("submitted")) {
                submittedProduced.putIfAbsent(TaskEventWatch.field(value, "subject"), produced);
                submittedRead.putIfAbsent(TaskEventWatch.field(value, "subject"), read);
            }
        });
        TaskEventWatch commands = new TaskEventWatch(kafka, topicPrefix + "agent-commands", "io.cyberun.command.", (type, produced, read, value) -> {
            if (type.equals("dispatch")) {
                dispatchProduced.putIfAbsent(TaskEventWatch.field(value, "task_id"), produced);
                dispatchRead.putIfAbsent(TaskEventWatch.field(value, "task_id"), read);
            }
        });
        CountDownLatch allDispatched = new CountDownLatch(count + warmup);
        List<BenchAgent> connected = new ArrayList<>();
        for (int i = 0; i < agents * teams.size(); i++) {
            connected.add(BenchAgent.connect(HTTP, hub, teams.get(i % teams.size()).ak(), "bench-agent-" + i, List.of("bench", "exec"), capacity, (agent, d, at) -> {
                receivedAt.putIfAbsent(d.taskId().toString(), System.currentTimeMillis());
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
        String self = "load generator=" + ProcessHandle.current().pid();
        AtomicReference<Map<String, Long>> cpuBefore = new AtomicReference<>();
        long started = System.nanoTime();
        clock.scheduleAtFixedRate(() -> {
            int n = next[0]++;
            if (n >= count + warmup) {
                return;
            }
            if (n == warmup) {
                cpuBefore.set(cpu(pids + "," + self));
            }
            String token = (n < warmup ? "w" : "m") + n;
            String sk = teams.get(n % teams.size()).sk();
            long t0 = System.nanoTime();
            submitted.put(token, t0);
            requestedAt.put(token, System.currentTimeMillis());
            HTTP.sendAsync(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/workflows/slug/bench-noop/run"))
                            .header("Authorization", "Bearer " + sk).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\":{\"token\":\"" + token + "\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 202) {
                            System.err.println("run request failed: " + (e != null ? e : r.statusCode() + " " + r.body()));
                        } else if (token.startsWith("m")) {
                            try {
                                tokenOf.put(JSON.readTree(r.body()).path("task_id").asText(), token);
                            } catch (Exception unreadable) {
                                System.err.println("unreadable run answer: " + r.body());
                            }
                            synchronized (postMillis) {
                                postMillis.add((System.nanoTime() - t0) / 1_000_000);
                            }
                        }
                        allSubmitted.countDown();
                    });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        boolean done = allDispatched.await(Math.max(120, (long) ((count + warmup) / rate) * 3), TimeUnit.SECONDS);
        Map<String, Long> cpuAfter = cpu(pids + "," + self);
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
        if (cpuBefore.get() != null) {
            // The load generator's share is shown but not added to the platform's total.
            long own = cpuAfter.remove("load generator") - cpuBefore.get().remove("load generator");
            Bench.printCpuPerTask(cpuBefore.get(), cpuAfter, count);
            System.out.printf("| (load generator, not in the total) | %d | %.2f |%n", own, (double) own / count);
        }

        // Hops of each measured run, in ms: request → submitted handed to task-service's producer → on the broker (read
        // by this watch) → dispatch handed to the scheduler's producer → on the broker → at the agent.
        String[] names = {"request → submitted sent", "submitted sent → on broker", "on broker → dispatch sent",
                "dispatch sent → on broker", "on broker → agent"};
        List<List<Double>> hops = new ArrayList<>();
        for (int h = 0; h < names.length; h++) {
            hops.add(new ArrayList<>());
        }
        tokenOf.forEach((task, token) -> {
            Long[] at = {requestedAt.get(token), submittedProduced.get(task), submittedRead.get(task), dispatchProduced.get(task),
                    dispatchRead.get(task), receivedAt.get(task)};
            if (Arrays.stream(at).allMatch(Objects::nonNull)) {
                for (int h = 0; h < names.length; h++) {
                    hops.get(h).add((double) (at[h + 1] - at[h]));
                }
            }
        });
        hops.forEach(h -> h.sort(null));
        System.out.println();
        System.out.printf("Hops of %d measured runs, by the Kafka records' timestamps and when this process read them (ms, p50 / p99):%n",
                hops.get(0).size());
        System.out.println("| " + String.join(" | ", names) + " |");
        System.out.println("|" + " ---: |".repeat(names.length));
        StringBuilder row = new StringBuilder("|");
        for (List<Double> h : hops) {
            row.append(String.format(" %.0f / %.0f |", Bench.pct(h, 50), Bench.pct(h, 99)));
        }
        System.out.println(row);
        events.close();
        commands.close();
        Bench.say("%d runs in %.1f s (%d agents x %d slots)%s", count + warmup, seconds, agents * teams.size(), capacity,
                done ? "" : "; " + missing + " measured runs were NOT dispatched in time");
        connected.forEach(BenchAgent::close);
        System.exit(done ? 0 : 1);
    }

    private static Map<String, Long> cpu(String pids) {
        try {
            return Bench.cpuMillis(pids);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
