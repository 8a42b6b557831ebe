package io.cyberun.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place tests get their servers from. Where a container engine runs, it starts Kafka, PostgreSQL, Redis,
 * S3Proxy and Keycloak with Testcontainers (a laptop with Docker needs nothing else). Elsewhere (these machines,
 * CI) it uses the real local servers of {@code deploy/local/stack}, with that stack's generated secrets.
 * {@code CYBERUN_TEST_INFRA=local|containers} forces a choice. A server that does not answer fails the run with a
 * message naming it; nothing is skipped.
 * <p>
 * Tests never share state with each other or with a running local stack: each {@link #namespace} gets its own
 * topic prefix, databases, buckets and Redis key prefix, removed when the JVM ends.
 */
public final class TestInfrastructure {
    private static TestInfrastructure instance;

    private final Endpoints endpoints;
    private final String mode;

    private TestInfrastructure(Endpoints endpoints, String mode) {
        this.endpoints = endpoints;
        this.mode = mode;
    }

    /** The servers of this test JVM, found (or started) and checked once. */
    public static synchronized TestInfrastructure get() {
        if (instance == null) {
            String forced = System.getenv("CYBERUN_TEST_INFRA");
            boolean containers = "containers".equals(forced) || (forced == null && ContainerServers.engineAvailable());
            Endpoints endpoints = containers ? ContainerServers.start() : localEndpoints();
            instance = new TestInfrastructure(endpoints, containers ? "containers" : "local");
            instance.verify();
            StaleNamespaces.sweep(endpoints);
        }
        return instance;
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    public String mode() {
        return mode;
    }

    /** A fresh, isolated namespace for one test JVM or test class, removed at exit. */
    public Namespace namespace() {
        return Namespace.create(endpoints);
    }

    /** Fails with the name of every server that does not answer and how to start it. */
    void verify() {
        Endpoints e = endpoints;
        List<String> missing = new ArrayList<>();
        URI kafka = URI.create("tcp://" + e.kafkaBootstrap().split(",")[0]);
        if (!portOpen(kafka.getHost(), kafka.getPort())) {
            missing.add("Kafka at " + e.kafkaBootstrap());
        }
        try (Connection c = DriverManager.getConnection(e.pgJdbcUrl("postgres"), e.pgAdminUser(), e.pgAdminPassword())) {
            c.createStatement().execute("select 1");
        } catch (Exception ex) {
            missing.add("PostgreSQL at " + e.pgHost() + ":" + e.pgPort() + " (" + ex.getMessage() + ")");
        }
        if (!RedisPing.ping(e.redisHost(), e.redisPort())) {
            missing.add("Redis at " + e.redisUrl());
        }
        if (httpStatus(e.s3Endpoint() + "/") != 403) {
            missing.add("S3 (S3Proxy) at " + e.s3Endpoint());
        }
        if (httpStatus(e.oidcRealmUrl() + "/.well-known/openid-configuration") != 200) {
            missing.add("Keycloak (realm cyberun) at " + e.oidcRealmUrl());
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("test servers not reachable (" + mode + " mode): " + String.join("; ", missing)
                    + ". Start them with 'deploy/local/stack up' (bin/test does this), or run where Docker is available.");
        }
    }

    /** The local stack's servers and the secrets its script generated. */
    static Endpoints localEndpoints() {
        Map<String, String> secrets = localSecrets();
        String stateHint = "run 'deploy/local/stack up' once: it generates " + secretsFile();
        return new Endpoints(
                env("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                env("CYBERUN_PG_HOST", "127.0.0.1"), Integer.parseInt(env("CYBERUN_PG_PORT", "5432")),
                env("CYBERUN_PG_ADMIN_USER", "postgres"), env("CYBERUN_PG_ADMIN_PASSWORD", ""),
                env("CYBERUN_REDIS_HOST", "127.0.0.1"), Integer.parseInt(env("CYBERUN_REDIS_PORT", "6379")),
                env("S3_URL", "http://127.0.0.1:9000"),
                require(secrets, "CYBERUN_S3_ACCESS_KEY", stateHint), require(secrets, "CYBERUN_S3_SECRET_KEY", stateHint),
                env("OIDC_URL", "http://127.0.0.1:8180/realms/cyberun"),
                require(secrets, "CYBERUN_OIDC_CLIENT_SECRET", stateHint),
                require(secrets, "CYBERUN_ALICE_PASSWORD", stateHint), require(secrets, "CYBERUN_BOB_PASSWORD", stateHint));
    }

    /** The repository root: the nearest folder above the working directory with deploy/local/lib.sh. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("deploy/local/lib.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("tests must run inside the Cyberun repository (no deploy/local/lib.sh above "
                    + Path.of("").toAbsolutePath() + ")");
        }
        return dir;
    }

    static Path secretsFile() {
        String state = System.getenv("CYBERUN_STATE_DIR");
        Path stateDir = state != null ? Path.of(state) : repositoryRoot().resolve(".local");
        return stateDir.resolve("secrets/stack.env");
    }

    static Map<String, String> localSecrets() {
        Map<String, String> values = new LinkedHashMap<>();
        Path file = secretsFile();
        if (Files.exists(file)) {
            try {
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (!line.startsWith("#") && eq > 0) {
                        values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("CYBERUN_")) {
                values.put(k, v);
            }
        });
        return values;
    }

    private static String require(Map<String, String> secrets, String name, String hint) {
        String value = secrets.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: " + hint);
        }
        return value;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static boolean portOpen(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int httpStatus(String url) {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
