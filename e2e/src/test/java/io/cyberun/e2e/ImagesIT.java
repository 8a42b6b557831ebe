package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container images, built by the Maven profile the platform's CI uses ({@code ./mvnw package -Dimages}): a
 * service's through quarkus-container-image-jib, the agent's through jib-maven-plugin. These machines cannot pull base
 * images, so the build runs against a tiny local base image ({@code tar://}), on a copy of the sources (the running
 * stack's jars are left alone), and the service's image goes to a stand-in {@code docker} that keeps what Jib loads.
 * Then what the images hold is checked: the names the chart pulls, a non-root user, the entrypoint, the JVM sized by
 * the container, the application's layers.
 */
class ImagesIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path WORK = Path.of("target", "images").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();
    /** Modules the two images need (with -am); the others are only their pom.xml, which the reactor reads. */
    static final Set<String> BUILT = Set.of("contracts", "service-common", "testing", "gateway-service", "agent");
    static JsonNode gateway;
    static JsonNode agent;
    static Path gatewayLayers;
    static Path agentLayers;

    @BeforeAll
    static void build() throws Exception {
        deleteTree(WORK);
        Path src = copySources(Files.createDirectories(WORK.resolve("src")));
        Path base = baseImage(Files.createDirectories(WORK.resolve("base")));
        Path loaded = Files.createDirectories(WORK.resolve("loaded"));
        Path docker = WORK.resolve("docker");
        Files.writeString(docker, """
                #!/bin/bash
                # Stands in for the Docker CLI: answers 'info', keeps what 'load' is given.
                case "$1" in
                  info) echo '{"OSType":"linux","Architecture":"x86_64"}' ;;
                  load) cat > "%s/image.tar"; echo "Loaded image" ;;
                  *) echo "docker $*: not supported here" >&2; exit 1 ;;
                esac
                """.formatted(loaded));
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));

        List<String> command = List.of(src.resolve("mvnw").toString(), "-B", "-q", "package", "-Dimages", "-DskipTests",
                "-pl", "gateway-service,agent", "-am",
                "-Dquarkus.jib.base-jvm-image=tar://" + base, "-Djib.from.image=tar://" + base,
                "-Dquarkus.jib.docker-executable-name=" + docker, "-Dcyberun.jib.goal=buildTar");
        System.out.println("[e2e] building the gateway's and the agent's images: " + String.join(" ", command));
        Path log = WORK.resolve("build.log");
        Process p = new ProcessBuilder(command).directory(src.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).as("the image build finished in 15 minutes").isTrue();
        assertThat(p.exitValue()).as("the image build failed:\n" + tail(log)).isZero();

        gatewayLayers = Files.createDirectories(WORK.resolve("gateway-image"));
        gateway = unpack(loaded.resolve("image.tar"), gatewayLayers);
        agentLayers = Files.createDirectories(WORK.resolve("agent-image"));
        agent = unpack(src.resolve("agent/target/jib-image.tar"), agentLayers);
    }

    @Test
    void theServiceImageIsTheOneTheChartPullsRunsAsTheChartsUserAndSizesItsHeapByTheContainer() throws Exception {
        ObjectNode deployment = Charts.objects(Charts.render(Charts.template())).stream()
                .filter(o -> o.path("kind").asText().equals("Deployment") && o.path("metadata").path("name").asText().equals("cy-gateway-service"))
                .findFirst().orElseThrow(() -> new AssertionError("the chart renders no gateway Deployment"));
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertThat(gateway.path("tag").asText()).as("the chart's default image").isEqualTo(pod.path("containers").get(0).path("image").asText());
        JsonNode config = gateway.path("config").path("config");
        assertThat(config.path("User").asText()).as("the chart's runAsUser").isEqualTo(pod.path("securityContext").path("runAsUser").asText());
        List<String> entrypoint = strings(config.path("Entrypoint"));
        assertThat(entrypoint).startsWith("java").endsWith("-jar", "/deployments/quarkus-run.jar")
                .noneMatch(a -> a.startsWith("-Xmx")).contains("-Djava.io.tmpdir=/tmp");
        assertThat(strings(config.path("Env"))).anyMatch(e -> e.startsWith("JAVA_TOOL_OPTIONS=") && e.contains("-XX:MaxRAMPercentage="));
        assertThat(pod.path("containers").get(0).path("env").findValuesAsText("name")).as("the chart's javaOptions replace the image's")
                .contains("JAVA_TOOL_OPTIONS");
        assertThat(gatewayLayers.resolve("deployments/quarkus-run.jar")).isRegularFile();
        try (Stream<Path> libs = Files.list(gatewayLayers.resolve("deployments/lib/main"))) {
            assertThat(libs.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("io.cyberun.contracts"));
        }
        assertThat(gatewayLayers.resolve("etc/base-marker")).as("built on the base image given").isRegularFile();
    }

    @Test
    void theAgentImageRunsTheAgentAsANonRootUser() {
        assertThat(agent.path("tag").asText()).isEqualTo("ghcr.io/cyberun/agent:0.1.0");
        JsonNode config = agent.path("config").path("config");
        assertThat(config.path("User").asText()).isEqualTo("185");
        assertThat(strings(config.path("Entrypoint"))).startsWith("java").endsWith("io.cyberun.agent.AgentMain").noneMatch(a -> a.startsWith("-Xmx"));
        assertThat(strings(config.path("Env"))).anyMatch(e -> e.startsWith("JAVA_TOOL_OPTIONS=") && e.contains("-XX:MaxRAMPercentage="));
        assertThat(agentLayers.resolve("app/classes/io/cyberun/agent/AgentMain.class")).isRegularFile();
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Unpacks a docker-save tar: its tag and config, with every layer extracted into {@code into}. */
    static JsonNode unpack(Path image, Path into) throws Exception {
        assertThat(image).as("the build produced an image").isRegularFile();
        Path dir = Files.createDirectories(into.resolveSibling(into.getFileName() + "-tar"));
        tar("-xf", image.toString(), "-C", dir.toString());
        JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile()).get(0);
        for (JsonNode layer : manifest.path("Layers")) {
            tar("-xf", dir.resolve(layer.asText()).toString(), "-C", into.toString());
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("tag", manifest.path("RepoTags").get(0).asText());
        out.set("config", JSON.readTree(dir.resolve(manifest.path("Config").asText()).toFile()));
        return out;
    }

    /** A base image of one small layer, in the docker-save layout Jib reads from {@code tar://}. */
    static Path baseImage(Path dir) throws Exception {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/etc"));
        Files.writeString(rootfs.resolve("base-marker"), "the test's base image\n");
        tar("-cf", dir.resolve("layer.tar").toString(), "-C", dir.resolve("rootfs").toString(), "etc");
        String diffId = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve("layer.tar"))));
        Files.writeString(dir.resolve("config.json"), """
                {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},
                 "rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created_by":"ImagesIT"}]}""".formatted(diffId));
        Files.writeString(dir.resolve("manifest.json"), "[{\"Config\":\"config.json\",\"RepoTags\":[\"base:test\"],\"Layers\":[\"layer.tar\"]}]");
        Path base = dir.resolve("base.tar");
        tar("-cf", base.toString(), "-C", dir.toString(), "manifest.json", "config.json", "layer.tar");
        return base;
    }

    /** The sources the build needs, without any target/ directory. */
    static Path copySources(Path to) throws IOException {
        for (String f : List.of("pom.xml", "mvnw")) {
            Files.copy(ROOT.resolve(f), to.resolve(f));
        }
        copyTree(ROOT.resolve(".mvn"), to.resolve(".mvn"));
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.filter(m -> Files.exists(m.resolve("pom.xml")) && !m.equals(ROOT)).toList()) {
                String name = module.getFileName().toString();
                Path target = Files.createDirectories(to.resolve(name));
                Files.copy(module.resolve("pom.xml"), target.resolve("pom.xml"));
                if (BUILT.contains(name)) {
                    copyTree(module.resolve("src"), target.resolve("src"));
                }
            }
        }
        return to;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    static void tar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tar"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
