import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.json.CyberunJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/** What the benchmarks share: fresh teams through the admin bootstrap, percentiles, CPU time of processes, progress lines. */
final class Bench {
    private Bench() {
    }

    /** A bootstrapped team: its integration key (sk-) and agent key (ak-). */
    record Team(String name, String sk, String ak) {
    }

    /** Bootstraps a team with one workflow; answers its keys ({@code integration_key}, {@code agent_key}). */
    static JsonNode bootstrap(HttpClient http, String gateway, String adminToken, String team, String workflowJson) throws Exception {
        HttpResponse<String> boot = http.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/admin/bootstrap"))
                .header("X-Cyberun-Admin-Token", adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"team_name\":\"" + team + "\",\"owner_email\":\"" + team
                        + "@example.com\",\"workflows\":[" + workflowJson + "]}")).build(), HttpResponse.BodyHandlers.ofString());
        if (boot.statusCode() != 200) {
            throw new IllegalStateException("bootstrap answered HTTP " + boot.statusCode() + ": " + boot.body());
        }
        return CyberunJson.mapper().readTree(boot.body());
    }

    /**
     * {@code n} fresh teams with the same workflow. Each team's key has the platform's own rate limits (runs 20/s), so
     * a benchmark that wants more spreads its runs over teams, as many tenants would.
     */
    static List<Team> teams(HttpClient http, String gateway, String adminToken, String prefix, int n, String workflowJson) throws Exception {
        List<Callable<Team>> jobs = new ArrayList<>();
        long stamp = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            String name = prefix + "-" + stamp + "-" + i;
            jobs.add(() -> {
                JsonNode keys = bootstrap(http, gateway, adminToken, name, workflowJson);
                return new Team(name, keys.path("integration_key").asText(), keys.path("agent_key").asText());
            });
        }
        List<Team> teams = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Future<Team> f : pool.invokeAll(jobs)) {
                teams.add(f.get());
            }
        }
        return teams;
    }

    /** The client a benchmark calls the platform with: requests on virtual threads. */
    static HttpClient http(HttpClient.Version version, Duration connectTimeout) {
        return HttpClient.newBuilder().version(version).executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(connectTimeout).build();
    }

    /** An exec workflow that runs the agents' no-op command and needs an agent with the label {@code slug}. */
    static String noopWorkflow(String slug, String displayName) {
        return """
                {"workflow_slug": "%s", "display_name": "%s", "tool_type": "exec",
                 "workflow_json": {"command": "noop"}, "parameters": [], "required_labels": ["%s"]}""".formatted(slug, displayName, slug);
    }

    /**
     * Reads an SSE stream line by line (with {@code HttpResponse.BodySubscribers.fromLineSubscriber}) and hands each
     * {@code data:} line to {@link #data} with the name of its event and the time it was read.
     */
    abstract static class SseReader implements Flow.Subscriber<String> {
        private String event;

        /** One {@code data:} line of an event named {@code event}, read at {@code now} ({@link System#nanoTime}). */
        abstract void data(String event, String line, long now);

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data(event, line, System.nanoTime());
            }
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }

    static <T extends Comparable<T>> T pct(List<T> sorted, int p) {
        return sorted.isEmpty() ? null : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static void say(String format, Object... args) {
        System.out.println("[bench] " + String.format(format, args));
    }

    /**
     * CPU time (user + system, milliseconds) of the platform's processes, read from {@code /proc}. {@code spec} is
     * {@code name=pid,name=pid,...} for the JVMs; PostgreSQL and Redis are every process of that name (PostgreSQL runs
     * one backend per connection).
     */
    static Map<String, Long> cpuMillis(String spec) throws IOException {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kv = entry.split("=");
            cpu.put(kv[0], ticks(Long.parseLong(kv[1])));
        }
        cpu.put("postgres", byName("postgres"));
        cpu.put("redis", byName("redis-server"));
        return cpu;
    }

    private static long byName(String comm) throws IOException {
        long total = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    if (Files.readString(p.resolve("comm")).strip().equals(comm)) {
                        total += ticks(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return total;
    }

    /** utime + stime of one process in milliseconds (clock ticks are 1/100 s on Linux). */
    private static long ticks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** Prints the CPU each process spent between two readings, per task, and returns the total per task. */
    static double printCpuPerTask(Map<String, Long> before, Map<String, Long> after, long tasks) {
        System.out.println();
        System.out.println("| process | CPU (ms) | CPU per task (ms) |");
        System.out.println("| --- | ---: | ---: |");
        long total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long spent = Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
            total += spent;
            System.out.printf("| %s | %d | %.2f |%n", e.getKey(), spent, tasks == 0 ? Double.NaN : (double) spent / tasks);
        }
        double perTask = tasks == 0 ? Double.NaN : (double) total / tasks;
        System.out.printf("| **total** | **%d** | **%.2f** |%n", total, perTask);
        return perTask;
    }
}
