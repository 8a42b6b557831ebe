import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import io.cyberun.contracts.task.ProgressInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress throughput: TASKS tasks run at once on protocol agents in this JVM, each reporting progress every INTERVAL ms
 * (the hub forwards at most one report per task every 200 ms), while SUBSCRIBERS SSE streams spread over those tasks
 * read them through the gateway. Measures the progress events the platform absorbs per second (recorded on
 * task-events, read by an observer consumer) and the latency from the agent's report to each subscriber (p50/p99);
 * the agent stamps each report with its send time, and both clocks are this JVM's.
 *
 * <p>args: gateway hub admin-token kafka-bootstrap topic teams tasks subscribers interval-ms seconds pids
 */
public class ProgressThroughput {

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String hub = args[1];
        String adminToken = args[2];
        String kafka = args[3];
        String topic = args[4];
        int teamCount = Integer.parseInt(args[5]);
        int taskCount = Integer.parseInt(args[6]);
        int subscribers = Integer.parseInt(args[7]);
        int intervalMs = Integer.parseInt(args[8]);
        int seconds = Integer.parseInt(args[9]);
        String pids = args.length > 10 ? args[10] : "";
        HttpClient http = Bench.http(HttpClient.Version.HTTP_1_1, Duration.ofSeconds(20));
        String workflow = Bench.noopWorkflow("bench-progress", "Bench progress");
        List<Bench.Team> teams = Bench.teams(http, gateway, adminToken, "bench-prog", teamCount, workflow);
        int perTeam = (taskCount + teamCount - 1) / teamCount;

        // Tasks first: they wait (no agent yet) while the subscribers connect.
        List<String[]> tasks = new ArrayList<>(); // team index, task id
        for (int t = 0; t < teams.size(); t++) {
            for (int i = 0; i < perTeam && tasks.size() < taskCount; i++) {
                HttpResponse<String> run = http.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/workflows/slug/bench-progress/run"))
                        .header("Authorization", "Bearer " + teams.get(t).sk()).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\":{}}")).build(), HttpResponse.BodyHandlers.ofString());
                if (run.statusCode() != 202) {
                    throw new IllegalStateException("run refused: " + run.statusCode() + " " + run.body());
                }
                tasks.add(new String[] {Integer.toString(t), CyberunJson.mapper().readTree(run.body()).path("task_id").asText()});
            }
        }
        Bench.say("%d teams, %d tasks; opening %d SSE subscribers (under each key's 50 requests/s)", teams.size(), tasks.size(), subscribers);
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger open = new AtomicInteger();
        AtomicLong measuring = new AtomicLong(Long.MAX_VALUE);
        long openStarted = System.nanoTime();
        int openRate = 40 * teams.size();
        for (int i = 0; i < subscribers; i++) {
            String[] task = tasks.get(i % tasks.size());
            long due = openStarted + (long) (i * 1e9 / openRate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            http.sendAsync(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/tasks/" + task[1] + "/events"))
                            .header("Authorization", "Bearer " + teams.get(Integer.parseInt(task[0])).sk()).header("Accept", "text/event-stream").build(),
                    info -> {
                        if (info.statusCode() == 200) {
                            open.incrementAndGet();
                        }
                        return HttpResponse.BodySubscribers.fromLineSubscriber(new Reader(latencies, measuring));
                    });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (open.get() < subscribers && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Bench.say("%d subscribers streaming", open.get());

        AtomicLong recorded = new AtomicLong();
        TaskEventWatch watch = new TaskEventWatch(kafka, topic, (task, type, at) -> {
            if (type.equals("progressed")) {
                recorded.incrementAndGet();
            }
        });
        CountDownLatch stop = new CountDownLatch(1);
        List<BenchAgent> agents = new ArrayList<>();
        for (Bench.Team team : teams) {
            agents.add(BenchAgent.connect(http, hub, team.ak(), "bench-progress-agent", List.of("bench-progress", "exec"), Math.min(64, perTeam),
                    (agent, d, at) -> report(agent, d, intervalMs, stop)));
        }
        Thread.sleep(5000); // every task runs and reports
        measuring.set(System.nanoTime());
        long before = recorded.get();
        Map<String, Long> cpuBefore = Bench.cpuMillis(pids);
        long started = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long absorbed = recorded.get() - before;
        double elapsed = (System.nanoTime() - started) / 1e9;
        Map<String, Long> cpuAfter = Bench.cpuMillis(pids);
        measuring.set(Long.MAX_VALUE);
        stop.countDown();
        Thread.sleep(2000);
        watch.close();

        List<Double> sorted = new ArrayList<>(latencies);
        sorted.sort(null);
        System.out.println();
        System.out.println("| tasks reporting | subscribers | progress events/s absorbed | agent → SSE p50 / p99 (ms) | deliveries measured |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: |");
        System.out.printf("| %d | %d | %.0f | %.1f / %.1f | %d |%n", tasks.size(), open.get(), absorbed / elapsed, Bench.pct(sorted, 50),
                Bench.pct(sorted, 99), sorted.size());
        Bench.printCpuPerTask(cpuBefore, cpuAfter, absorbed);
        System.out.printf("RESULT events_per_second=%.1f p99_ms=%.1f%n", absorbed / elapsed, Bench.pct(sorted, 99));
        agents.forEach(BenchAgent::close);
        System.exit(0);
    }

    /** One task: acknowledged, then a progress report every interval (stamped with its send time) until stopped. */
    static void report(BenchAgent agent, HubMessage.Dispatch d, int intervalMs, CountDownLatch stop) {
        agent.send(new AgentMessage.TaskAccepted(d.taskId(), d.attempt()));
        int step = 0;
        try {
            while (!stop.await(intervalMs, TimeUnit.MILLISECONDS)) {
                step++;
                agent.send(new AgentMessage.TaskProgress(d.taskId(), d.attempt(),
                        new ProgressInfo(Math.min(0.99, step / 10000.0), null, step, 10000, null, "t=" + System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        agent.send(new AgentMessage.TaskCompleted(d.taskId(), d.attempt(), List.of()));
    }

    /** Reads one stream: for each progress event read while measuring, the time since the agent sent it. */
    static final class Reader extends Bench.SseReader {
        private final ConcurrentLinkedQueue<Double> latencies;
        private final AtomicLong measuring;

        Reader(ConcurrentLinkedQueue<Double> latencies, AtomicLong measuring) {
            this.latencies = latencies;
            this.measuring = measuring;
        }

        @Override
        void data(String event, String line, long now) {
            int at = line.indexOf("t=");
            if (!"progress".equals(event) || at <= 0 || now <= measuring.get()) {
                return;
            }
            int end = line.indexOf('"', at);
            long sent = Long.parseLong(line.substring(at + 2, end));
            if (sent > measuring.get()) {
                latencies.add((now - sent) / 1e6);
            }
        }
    }
}
