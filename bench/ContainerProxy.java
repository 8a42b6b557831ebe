import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.json.CyberunJson;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The container proxy against calling the same server directly: the demo team's echo-service (bin/demo deploys it),
 * called through gateway → agent-hub → agent → replica, and straight at the replica's port.
 * <ol>
 *   <li>latency: one request at a time (GET /echo), p50 / p99 of each way, the difference is what the proxy adds;</li>
 *   <li>throughput: {@code concurrency} callers for {@code seconds}, requests/s of each way (the gateway limits each key
 *   to 50 requests/s, so the callers spread over {@code keys} member keys created for the run and revoked after);</li>
 *   <li>a stream of {@code streamMb} MB (GET /bytes) each way, MB/s, with the resident memory of gateway, hub and agent
 *   sampled every 250 ms while it flows.</li>
 * </ol>
 * Args: gateway, oidc token URL, alice's password, team id, sk- key, slug, concurrency, seconds, keys, streamMb,
 * pids (gateway=..,hub=..,agent=..), warm-up seconds.
 */
public class ContainerProxy {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String tokenUrl = args[1];
        String alicePassword = args[2];
        String team = args[3];
        String sk = args[4];
        String slug = args[5];
        int concurrency = Integer.parseInt(args[6]);
        int seconds = Integer.parseInt(args[7]);
        int keyCount = Integer.parseInt(args[8]);
        long streamMb = Long.parseLong(args[9]);
        String pids = args[10];
        int warmup = Integer.parseInt(args[11]);

        String proxied = gateway + "/api/v1/r/containers/" + slug;
        HttpResponse<String> probe = get(proxied + "/echo", sk);
        if (probe.statusCode() != 200) {
            throw new IllegalStateException("GET " + proxied + "/echo answered " + probe.statusCode() + ": " + probe.body()
                    + " (run bin/demo first: it deploys " + slug + ")");
        }
        String direct = "http://" + CyberunJson.mapper().readTree(probe.body()).path("headers").path("host").asText();
        Bench.say("proxied %s, direct %s", proxied, direct);

        String token = aliceToken(tokenUrl, alicePassword);
        List<String[]> keys = new ArrayList<>();
        for (int i = 0; i < keyCount; i++) {
            JsonNode k = CyberunJson.mapper().readTree(send("POST", gateway + "/api/v1/credentials", token, team,
                    "{\"kind\":\"integration\",\"display_name\":\"bench proxy " + i + "\",\"role\":\"member\"}").body());
            keys.add(new String[] {k.path("id").asText(), k.path("raw_key").asText()});
        }
        try {
            // Warm-up: the services run C2 only (deploy/local/services) and compile under load for a few minutes; then
            // latency one request at a time, each way.
            List<String> memberKeys = keys.stream().map(k -> k[1]).toList();
            throughput(direct, List.of("-"), concurrency, 5);
            for (int i = 0; i < warmup / 15; i++) {
                throughput(proxied, memberKeys, concurrency, 15);
            }
            List<Double> directLatency = latency(direct, List.of("-"), 2000);
            List<Double> proxyLatency = latency(proxied, memberKeys, 2000);
            double directRate = throughput(direct, List.of("-"), concurrency, seconds);
            double proxyRate = throughput(proxied, keys.stream().map(k -> k[1]).toList(), concurrency, seconds);
            System.out.printf("RESULT small direct_rps=%.0f proxy_rps=%.0f direct_p50=%.2f direct_p99=%.2f proxy_p50=%.2f proxy_p99=%.2f"
                            + " added_p50=%.2f added_p99=%.2f%n", directRate, proxyRate, Bench.pct(directLatency, 50), Bench.pct(directLatency, 99),
                    Bench.pct(proxyLatency, 50), Bench.pct(proxyLatency, 99), Bench.pct(proxyLatency, 50) - Bench.pct(directLatency, 50),
                    Bench.pct(proxyLatency, 99) - Bench.pct(directLatency, 99));
            double directMbs = stream(direct, "-", streamMb, pids, "direct");
            double proxyMbs = stream(proxied, keys.get(0)[1], streamMb, pids, "proxy");
            System.out.printf("RESULT stream direct_mbs=%.0f proxy_mbs=%.0f%n", directMbs, proxyMbs);
        } finally {
            for (String[] k : keys) {
                send("DELETE", gateway + "/api/v1/credentials/" + k[0], token, team, null);
            }
        }
    }

    /** One request at a time, the keys in turn (each key may make 50 requests/s). */
    static List<Double> latency(String base, List<String> keys, int n) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = get(base + "/echo", keys.get(i % keys.size()));
            if (r.statusCode() != 200) {
                throw new IllegalStateException(base + " answered " + r.statusCode() + ": " + r.body());
            }
            ms.add((System.nanoTime() - t) / 1e6);
        }
        Collections.sort(ms);
        Bench.say("%s one at a time: p50 %.2f ms, p99 %.2f ms", base, Bench.pct(ms, 50), Bench.pct(ms, 99));
        return ms;
    }

    /** Requests/s of {@code concurrency} callers, each calling in a loop, the keys in turn. */
    static double throughput(String base, List<String> keys, int concurrency, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        java.util.Map<String, java.util.concurrent.atomic.LongAdder> why = new java.util.concurrent.ConcurrentHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
            for (int c = 0; c < concurrency; c++) {
                pool.submit(() -> {
                    while (!stop.get()) {
                        // Every call takes the next key, so the load spreads over all of them (each may make 50 requests/s).
                        String key = keys.get(Math.floorMod(turn.getAndIncrement(), keys.size()));
                        try {
                            int status = get(base + "/echo", key).statusCode();
                            if (status == 200) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                why.computeIfAbsent("HTTP " + status, k -> new java.util.concurrent.atomic.LongAdder()).increment();
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            why.computeIfAbsent(e.getClass().getSimpleName(), k -> new java.util.concurrent.atomic.LongAdder()).increment();
                        }
                    }
                    return null;
                });
            }
            long start = System.nanoTime();
            long before = ok.get();
            Thread.sleep(seconds * 1000L);
            double rate = (ok.get() - before) / ((System.nanoTime() - start) / 1e9);
            stop.set(true);
            Bench.say("%s, %d callers, %d s: %.0f requests/s (%d failed%s)", base, concurrency, seconds, rate, failed.get(),
                    why.isEmpty() ? "" : ": " + why);
            return rate;
        }
    }

    /** Reads {@code mb} MB from the service, answering MB/s; prints the memory of gateway, hub and agent while it flows. */
    static double stream(String base, String key, long mb, String pids, String label) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!done.get()) {
                samples.add(rss(pids));
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start = System.nanoTime();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/bytes?n=" + mb * 1024 * 1024)).timeout(Duration.ofMinutes(10));
        if (!key.equals("-")) {
            b.header("Authorization", "Bearer " + key);
        }
        long read = 0;
        HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
            }
        }
        double secondsTaken = (System.nanoTime() - start) / 1e9;
        done.set(true);
        sampler.join();
        if (read != mb * 1024 * 1024) {
            throw new IllegalStateException(label + ": read " + read + " bytes of " + mb * 1024 * 1024);
        }
        double rate = mb / secondsTaken;
        Bench.say("%s: %d MB in %.1f s = %.0f MB/s; resident memory (MB) every 250 ms: first %s, last %s, highest %s", label, mb, secondsTaken,
                rate, samples.getFirst(), samples.getLast(), highest(samples));
        return rate;
    }

    /** name:MB of each process. */
    static String rss(String pids) {
        StringBuilder out = new StringBuilder();
        for (String entry : pids.split(",")) {
            String[] kv = entry.split("=");
            try {
                for (String line : Files.readAllLines(Path.of("/proc", kv[1], "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        out.append(out.isEmpty() ? "" : " ").append(kv[0]).append(':')
                                .append(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
                    }
                }
            } catch (Exception e) {
                out.append(' ').append(kv[0]).append(":?");
            }
        }
        return out.toString();
    }

    static String highest(List<String> samples) {
        java.util.Map<String, Long> max = new java.util.LinkedHashMap<>();
        for (String s : samples) {
            for (String part : s.split(" ")) {
                String[] kv = part.split(":");
                if (kv.length == 2 && !kv[1].equals("?")) {
                    max.merge(kv[0], Long.parseLong(kv[1]), Math::max);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        max.forEach((k, v) -> out.append(out.isEmpty() ? "" : " ").append(k).append(':').append(v));
        return out.toString();
    }

    static HttpResponse<String> get(String url, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (!key.equals("-")) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String method, String url, String token, String team, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).header("X-Team-ID", team)
                .timeout(Duration.ofSeconds(30));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String aliceToken(String tokenUrl, String password) throws Exception {
        String form = "grant_type=password&client_id=cyberun-dashboard&username=alice&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(tokenUrl)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("signing in as alice failed: " + r.statusCode() + " " + r.body());
        }
        return CyberunJson.mapper().readTree(r.body()).path("access_token").asText();
    }
}
