package io.cyberun.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The test servers as containers, for machines with a container engine. Started once per JVM, in parallel, with
 * secrets generated for the run; the same Keycloak realm as the local stack is imported.
 */
final class ContainerServers {
    // Images can be overridden (CYBERUN_TEST_<NAME>_IMAGE). S3Proxy publishes sha-<commit> tags and latest only.
    static final String KAFKA_IMAGE = image("KAFKA", "apache/kafka:4.1.0");
    static final String POSTGRES_IMAGE = image("POSTGRES", "postgres:17-alpine");
    static final String REDIS_IMAGE = image("REDIS", "redis:7-alpine");
    static final String S3PROXY_IMAGE = image("S3PROXY", "andrewgaul/s3proxy:latest");
    static final String KEYCLOAK_IMAGE = image("KEYCLOAK", "quay.io/keycloak/keycloak:26.4");

    private ContainerServers() {
    }

    static boolean engineAvailable() {
        // Asking Testcontainers logs errors when there is no engine at all; look for one first.
        boolean socket = java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"));
        String host = System.getenv("DOCKER_HOST");
        if (!socket && (host == null || host.isBlank())) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    @SuppressWarnings("resource")
    static Endpoints start() {
        String s3Secret = secret();
        String clientSecret = secret();
        String alice = secret();
        String bob = secret();
        String pgPassword = secret();

        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
        PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE).withUsername("postgres").withPassword(pgPassword);
        GenericContainer<?> redis = new GenericContainer<>(REDIS_IMAGE).withExposedPorts(6379);
        GenericContainer<?> s3proxy = new GenericContainer<>(S3PROXY_IMAGE).withExposedPorts(80)
                .withEnv("S3PROXY_AUTHORIZATION", "aws-v2-or-v4")
                .withEnv("S3PROXY_IDENTITY", "cyberun-test")
                .withEnv("S3PROXY_CREDENTIAL", s3Secret)
                .withEnv("JCLOUDS_PROVIDER", "transient")
                .withEnv("S3PROXY_CORS_ALLOW_ALL", "true")
                .waitingFor(Wait.forHttp("/").forStatusCode(403));
        GenericContainer<?> keycloak = new GenericContainer<>(KEYCLOAK_IMAGE).withExposedPorts(8080)
                .withEnv("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
                .withEnv("KC_BOOTSTRAP_ADMIN_PASSWORD", secret())
                .withCopyToContainer(Transferable.of(realm(clientSecret, alice, bob)), "/opt/keycloak/data/import/cyberun-realm.json")
                .withCommand("start-dev", "--import-realm")
                .waitingFor(Wait.forHttp("/realms/cyberun/.well-known/openid-configuration").forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(4)));

        List<GenericContainer<?>> all = List.of(kafka, postgres, redis, s3proxy, keycloak);
        CompletableFuture.allOf(all.stream().map(c -> CompletableFuture.runAsync(c::start)).toArray(CompletableFuture[]::new)).join();

        String s3 = "http://" + s3proxy.getHost() + ":" + s3proxy.getMappedPort(80);
        // Presigned URLs carry the signing host; the realm's issuer must be the URL tests use.
        String realm = "http://" + keycloak.getHost() + ":" + keycloak.getMappedPort(8080) + "/realms/cyberun";
        return new Endpoints(kafka.getBootstrapServers(), postgres.getHost(), postgres.getMappedPort(5432), "postgres", pgPassword,
                redis.getHost(), redis.getMappedPort(6379), s3, "cyberun-test", s3Secret, realm, clientSecret, alice, bob);
    }

    /** The local stack's realm file with this run's secrets filled in. */
    static String realm(String clientSecret, String alice, String bob) {
        try {
            String template = Files.readString(TestInfrastructure.repositoryRoot().resolve("deploy/local/keycloak/cyberun-realm.json"),
                    StandardCharsets.UTF_8);
            return template.replace("@GATEWAY_CLIENT_SECRET@", clientSecret).replace("@ALICE_PASSWORD@", alice)
                    .replace("@BOB_PASSWORD@", bob);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the Keycloak realm file: " + e.getMessage(), e);
        }
    }

    private static String image(String name, String fallback) {
        String v = System.getenv("CYBERUN_TEST_" + name + "_IMAGE");
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String secret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
