package io.cyberun.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart, linted and rendered offline with Helm's own code (helm-java): what a platform engineer installs must
 * give every service what its configuration reads, keep secrets in Secrets, and refuse values of the wrong shape.
 */
class ChartTests {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path CHART = ROOT.resolve("deploy/helm/cyberun");
    static final List<String> SERVICES = List.of("gateway-service", "task-service", "scheduler-service", "agent-hub", "mcp-service", "file-service");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** A variable a configuration value reads: its name, and a colon when it has a default. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:)?");
    /** Variables a service reads that the chart deliberately leaves to the service's default. */
    static final Set<String> LEFT_TO_DEFAULT = Set.of("CYBERUN_PG_PASSWORD", "CYBERUN_S3_ACCESS_KEY", "CYBERUN_S3_SECRET_KEY",
            "CYBERUN_OIDC_CLIENT_SECRET", "CYBERUN_MCP_ALLOWED_ORIGINS", "CYBERUN_WEBHOOK_ALLOWED_HOSTS", "CYBERUN_ADMIN_TOKEN",
            // Only the signers get it (checked on its own below).
            "CYBERUN_PRINCIPAL_PRIVATE_KEY");

    static List<ObjectNode> render(TemplateCommand command) throws IOException {
        String out = command.withName("cy").withNamespace("cyberun").call();
        List<ObjectNode> objects = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(out)) {
            var it = YAML.readValues(parser, ObjectNode.class);
            while (it.hasNext()) {
                ObjectNode o = it.next();
                if (o != null && o.has("kind")) {
                    objects.add(o);
                }
            }
        }
        return objects;
    }

    static List<ObjectNode> kind(List<ObjectNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    static ObjectNode named(List<ObjectNode> objects, String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static JsonNode container(ObjectNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").get(0);
    }

    static Map<String, JsonNode> env(ObjectNode workload) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        container(workload).path("env").forEach(e -> env.put(e.path("name").asText(), e));
        return env;
    }

    /** The environment variables a service's application.properties reads, with whether each has a default. */
    static Map<String, Boolean> readVariables(String service) throws IOException {
        Map<String, Boolean> vars = new LinkedHashMap<>();
        for (Path file : List.of(ROOT.resolve(service).resolve("src/main/resources/application.properties"),
                ROOT.resolve("service-common/src/main/resources/META-INF/microprofile-config.properties"))) {
            Properties props = new Properties();
            try (var in = Files.newBufferedReader(file)) {
                props.load(in);
            }
            for (String key : props.stringPropertyNames()) {
                if (key.startsWith("%")) {
                    continue;
                }
                Matcher m = VARIABLE.matcher(props.getProperty(key));
                while (m.find()) {
                    vars.merge(m.group(1), m.group(2) != null, (a, b) -> a && b);
                }
            }
        }
        return vars;
    }

    @Test
    void theChartLintsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void everyServiceGetsEveryVariableItsConfigurationReadsAndSecretsOnlyFromSecrets() throws IOException {
        List<ObjectNode> objects = render(new Helm(CHART).template());
        for (String service : SERVICES) {
            ObjectNode workload = named(objects, service.equals("mcp-service") ? "StatefulSet" : "Deployment", "cy-" + service);
            Map<String, JsonNode> env = env(workload);
            Set<String> missing = new TreeSet<>();
            readVariables(service).forEach((name, hasDefault) -> {
                if (!env.containsKey(name) && !LEFT_TO_DEFAULT.contains(name)) {
                    missing.add(name + (hasDefault ? "" : " (no default)"));
                }
            });
            assertThat(missing).as("%s: variables its configuration reads that the chart does not set", service).isEmpty();
            assertThat(env.get("QUARKUS_HTTP_HOST").path("value").asText()).as("listens beyond loopback").isEqualTo("0.0.0.0");
            env.forEach((name, e) -> {
                if (name.matches(".*(PASSWORD|SECRET|PRIVATE_KEY|TOKEN|ACCESS_KEY).*")) {
                    assertThat(e.has("value")).as("%s %s comes from a Secret", service, name).isFalse();
                    assertThat(e.path("valueFrom").has("secretKeyRef")).as("%s %s", service, name).isTrue();
                }
            });
            boolean signs = Set.of("gateway-service", "agent-hub", "scheduler-service").contains(service);
            assertThat(env.containsKey("CYBERUN_PRINCIPAL_PRIVATE_KEY")).as("%s holds the signing key", service).isEqualTo(signs);

            JsonNode c = container(workload);
            assertThat(c.path("image").asText()).isEqualTo("ghcr.io/cyberun/" + service + ":0.1.0");
            assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
            assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
            assertThat(c.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/started");
            assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(workload.path("spec").path("template").path("spec").path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
            assertThat(c.path("resources").path("limits").has("memory")).isTrue();
            assertThat(named(objects, "Service", "cy-" + service).path("spec").path("ports").get(0).path("port").asInt())
                    .isEqualTo(c.path("ports").get(0).path("containerPort").asInt());
            assertThat(named(objects, "PodDisruptionBudget", "cy-" + service)).isNotNull();
            assertThat(named(objects, "NetworkPolicy", "cy-" + service)).isNotNull();
        }
        assertThat(kind(objects, "Secret")).as("no secret values in the chart").isEmpty();
        assertThat(kind(objects, "HorizontalPodAutoscaler")).extracting(o -> o.path("metadata").path("name").asText())
                .containsExactlyInAnyOrder("cy-gateway-service", "cy-task-service", "cy-scheduler-service", "cy-agent-hub");
    }

    @Test
    void theGatewayRoutesMcpSessionsToEachStatefulReplicaByItsStableName() throws IOException {
        List<ObjectNode> objects = render(new Helm(CHART).template().set("services.mcp-service.replicas", 3));
        String replicas = env(named(objects, "Deployment", "cy-gateway-service")).get("CYBERUN_GATEWAY_MCP_REPLICAS").path("value").asText();
        assertThat(replicas.split(",")).containsExactly("http://cy-mcp-service-0.cy-mcp-service-headless:8084",
                "http://cy-mcp-service-1.cy-mcp-service-headless:8084", "http://cy-mcp-service-2.cy-mcp-service-headless:8084");
        assertThat(named(objects, "StatefulSet", "cy-mcp-service").path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(named(objects, "Service", "cy-mcp-service-headless").path("spec").path("clusterIP").asText()).isEqualTo("None");
    }

    @Test
    void onlyTheGatewayAndTheHubAreReachableFromOutsideAndEachServiceOnlyFromItsCallers() throws IOException {
        List<ObjectNode> objects = render(new Helm(CHART).template());
        JsonNode ingress = named(objects, "Ingress", "cy-gateway-service");
        assertThat(ingress.path("spec").path("rules").get(0).path("host").asText()).isEqualTo("cyberun.example.com");
        assertThat(ingress.path("metadata").path("annotations").path("nginx.ingress.kubernetes.io/proxy-buffering").asText())
                .as("SSE is not buffered").isEqualTo("off");
        Map<String, String> backends = new LinkedHashMap<>();
        ingress.path("spec").path("rules").get(0).path("http").path("paths")
                .forEach(p -> backends.put(p.path("path").asText(), p.path("backend").path("service").path("name").asText()));
        assertThat(backends).containsEntry("/agent/", "cy-agent-hub").containsEntry("/", "cy-gateway-service");

        for (String open : List.of("gateway-service", "agent-hub")) {
            JsonNode rule = named(objects, "NetworkPolicy", "cy-" + open).path("spec").path("ingress").get(0);
            assertThat(rule.has("from")).as("%s takes traffic from anywhere", open).isFalse();
        }
        JsonNode task = named(objects, "NetworkPolicy", "cy-task-service").path("spec").path("ingress").get(0).path("from");
        Set<String> callers = new TreeSet<>();
        task.forEach(f -> callers.add(f.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText()));
        assertThat(callers).containsExactly("file-service", "gateway-service", "scheduler-service");
    }

    @Test
    void theHighAvailabilityAndBringYourOwnValuesRenderAsTheySay() throws IOException {
        List<ObjectNode> ha = render(new Helm(CHART).template().withValuesFile(CHART.resolve("ci/values-ha.yaml")));
        assertThat(named(ha, "KafkaNodePool", "cy-kafka-pool").path("spec").path("replicas").asInt()).isEqualTo(5);
        assertThat(named(ha, "StatefulSet", "cy-mcp-service").path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(kind(ha, "HorizontalPodAutoscaler")).allSatisfy(h -> assertThat(h.path("spec").path("minReplicas").asInt()).isEqualTo(3));
        assertThat(named(ha, "Ingress", "cy-gateway-service").path("spec").path("tls").get(0).path("secretName").asText()).isEqualTo("cyberun-tls");
        assertThat(kind(ha, "ServiceMonitor")).hasSize(1);

        List<ObjectNode> byo = render(new Helm(CHART).template().withValuesFile(CHART.resolve("ci/values-byo.yaml")));
        assertThat(kind(byo, "Kafka")).isEmpty();
        assertThat(kind(byo, "Ingress")).isEmpty();
        assertThat(kind(byo, "NetworkPolicy")).isEmpty();
        Map<String, JsonNode> file = env(named(byo, "Deployment", "cy-file-service"));
        assertThat(file.get("S3_PUBLIC_URL").path("value").asText()).isEqualTo("https://files.example.com");
        assertThat(file.get("FILE_DB_PASSWORD").path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo("prod-postgres");
        assertThat(env(named(byo, "Deployment", "cy-task-service")).get("CYBERUN_TOPIC_PREFIX").path("value").asText()).isEqualTo("prod.");
        assertThat(env(named(byo, "Deployment", "cy-gateway-service")).get("CYBERUN_OTEL_ENDPOINT").path("value").asText())
                .isEqualTo("http://otel-collector.observability:4317");
    }

    @Test
    void kafkaRunsUnderStrimziWithEveryTopicOfTheOneTableUnlessYouBringYourOwn() throws IOException {
        assertThat(CHART.resolve("files/topics.conf")).as("the chart's copy of the topic table").hasSameTextualContentAs(
                ROOT.resolve("deploy/local/kafka/topics.conf"));
        List<ObjectNode> objects = render(new Helm(CHART).template());
        assertThat(named(objects, "Kafka", "cy-kafka").path("metadata").path("annotations").path("strimzi.io/kraft").asText()).isEqualTo("enabled");
        assertThat(named(objects, "KafkaNodePool", "cy-kafka-pool").path("spec").path("replicas").asInt()).isEqualTo(3);
        Map<String, String> topics = new LinkedHashMap<>();
        kind(objects, "KafkaTopic").forEach(t -> topics.put(t.path("spec").path("topicName").asText(),
                t.path("spec").path("partitions").asInt() + " " + t.path("spec").path("config").path("retention.ms").asText()));
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("deploy/local/kafka/topics.conf"))) {
            String[] f = line.strip().split("\\s+");
            if (!line.strip().startsWith("#") && f.length == 3) {
                expected.put(f[0], f[1] + " " + f[2]);
            }
        }
        assertThat(topics).isEqualTo(expected).containsEntry("task-events", "12 604800000");
        for (String service : SERVICES) {
            ObjectNode workload = named(objects, service.equals("mcp-service") ? "StatefulSet" : "Deployment", "cy-" + service);
            assertThat(env(workload).get("KAFKA_BOOTSTRAP").path("value").asText()).isEqualTo("cy-kafka-kafka-bootstrap:9092");
        }

        List<ObjectNode> own = render(new Helm(CHART).template().set("kafka.strimzi.enabled", false)
                .set("kafka.bootstrapServers", "broker-1.kafka:9092,broker-2.kafka:9092"));
        assertThat(kind(own, "Kafka")).isEmpty();
        assertThat(kind(own, "KafkaTopic")).isEmpty();
        assertThat(env(named(own, "Deployment", "cy-task-service")).get("KAFKA_BOOTSTRAP").path("value").asText())
                .isEqualTo("broker-1.kafka:9092,broker-2.kafka:9092");
    }

    @Test
    void aValueOfTheWrongShapeIsRefusedAtInstallTimeWithAMessage() {
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("services.task-service.replicas", "two")))
                .hasMessageContaining("replicas");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("redis.url", "redis-host:6379")))
                .hasMessageContaining("redis");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("postgres.existingSecret", "")))
                .hasMessageContaining("existingSecret");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("image.pullPolicy", "Sometimes")))
                .hasMessageContaining("pullPolicy");
    }

    @Test
    void everyValueIsExplainedByAComment() throws IOException {
        List<String> lines = Files.readAllLines(CHART.resolve("values.yaml"));
        List<String> unexplained = new ArrayList<>();
        String previous = "";
        for (String line : lines) {
            String trimmed = line.strip();
            boolean top = !line.startsWith(" ") && !trimmed.isEmpty() && !trimmed.startsWith("#");
            if (top && !previous.strip().startsWith("#")) {
                unexplained.add(trimmed);
            }
            previous = line;
        }
        assertThat(unexplained).as("top-level values without a comment above them").isEmpty();
    }
}
