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
            "CYBERUN_PRINCIPAL_PRIVATE_KEY",
            // Only with an S3 keys Secret; the default values use the AWS default credentials chain (checked below).
            "S3_ACCESS_KEY", "S3_SECRET_KEY");

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

    /** The services whose pods a NetworkPolicy's first rule lets in, by name, sorted. */
    static Set<String> callers(List<ObjectNode> objects, String policy) {
        Set<String> callers = new TreeSet<>();
        named(objects, "NetworkPolicy", policy).path("spec").path("ingress").get(0).path("from")
                .forEach(f -> callers.add(f.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText()));
        return callers;
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

    /** The values files of ci/: high availability, bring your own dependencies, a trial. */
    static final List<String> CI_VALUES = List.of("values-ha.yaml", "values-byo.yaml", "values-trial.yaml");

    @Test
    void theChartLintsCleanWithItsDefaultsAndEveryCiValuesFile() throws IOException {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        for (String file : CI_VALUES) {
            LintResult with = new Helm(chartWithValues(CHART.resolve("ci").resolve(file))).lint().strict().call();
            assertThat(with.isFailed()).as(file + ":\n" + String.join("\n", with.getMessages())).isFalse();
        }
    }

    /**
     * A copy of the chart whose values.yaml is the defaults overridden by a values file, merged as Helm merges them
     * (maps key by key, everything else replaced): helm-java's lint takes no values file of its own.
     */
    static Path chartWithValues(Path valuesFile) throws IOException {
        Path copy = Files.createTempDirectory("chart");
        try (var files = Files.walk(CHART)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(CHART.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        ObjectNode merged = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
        merge(merged, (ObjectNode) YAML.readTree(valuesFile.toFile()));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        return copy;
    }

    static void merge(ObjectNode into, ObjectNode from) {
        from.properties().forEach(e -> {
            if (e.getValue().isObject() && into.path(e.getKey()).isObject()) {
                merge((ObjectNode) into.get(e.getKey()), (ObjectNode) e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
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
            for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                assertThat(c.path(probe).path("httpGet").path("port").asText()).as("%s %s on the management port", service, probe)
                        .isEqualTo("management");
            }
            assertThat(c.path("ports").findValuesAsText("name")).containsExactly("http", "management");
            assertThat(env.get("QUARKUS_MANAGEMENT_PORT").path("value").asText()).isEqualTo(c.path("ports").get(1).path("containerPort").asText());
            assertThat(env.get("QUARKUS_MANAGEMENT_HOST").path("value").asText()).isEqualTo("0.0.0.0");
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
        List<ObjectNode> objects = render(new Helm(CHART).template().set("serviceMonitor.enabled", true));
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
        assertThat(callers(objects, "cy-task-service")).as("file-service no longer calls task-service").containsExactly("gateway-service", "scheduler-service");
        // The management port (probes, metrics) is never open to everyone, not even on the gateway.
        for (String service : SERVICES) {
            for (JsonNode rule : named(objects, "NetworkPolicy", "cy-" + service).path("spec").path("ingress")) {
                if (rule.path("ports").findValuesAsText("port").contains("management")) {
                    assertThat(rule.path("from").size()).as("%s: who reaches the management port", service).isPositive();
                    assertThat(rule.path("ports").findValuesAsText("port")).containsExactly("management");
                }
            }
        }
        assertThat(named(objects, "ServiceMonitor", "cy-cyberun").path("spec").path("endpoints").get(0).path("port").asText())
                .isEqualTo("management");
    }

    @Test
    void theHighAvailabilityAndBringYourOwnValuesRenderAsTheySay() throws IOException {
        List<ObjectNode> ha = render(new Helm(CHART).template().withValuesFile(CHART.resolve("ci/values-ha.yaml")));
        assertThat(named(ha, "KafkaNodePool", "cy-kafka-pool").path("spec").path("replicas").asInt()).isEqualTo(5);
        assertThat(named(ha, "StatefulSet", "cy-mcp-service").path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(kind(ha, "HorizontalPodAutoscaler")).allSatisfy(h -> assertThat(h.path("spec").path("minReplicas").asInt()).isEqualTo(3));
        assertThat(named(ha, "Ingress", "cy-gateway-service").path("spec").path("tls").get(0).path("secretName").asText()).isEqualTo("cyberun-tls");
        assertThat(kind(ha, "ServiceMonitor")).hasSize(1);
        List<String> alerts = new ArrayList<>();
        named(ha, "PrometheusRule", "cy-cyberun").path("spec").path("groups").get(0).path("rules").forEach(r -> alerts.add(r.path("alert").asText()));
        assertThat(alerts).as("the alerts docs/operations.md describes").contains("CyberunOutboxBacklog", "CyberunServerErrors",
                "CyberunConsumerLag", "CyberunAgentsDropped", "CyberunHeapNearLimit");
        assertThat(Files.readString(ROOT.resolve("docs/operations.md"))).contains(alerts.toArray(String[]::new));

        List<ObjectNode> byo = render(new Helm(CHART).template().withValuesFile(CHART.resolve("ci/values-byo.yaml")));
        assertThat(kind(byo, "Kafka")).isEmpty();
        assertThat(kind(byo, "Ingress")).isEmpty();
        assertThat(kind(byo, "NetworkPolicy")).isEmpty();
        Map<String, JsonNode> file = env(named(byo, "Deployment", "cy-file-service"));
        assertThat(file.get("S3_PUBLIC_URL").path("value").asText()).isEqualTo("https://files.example.com");
        assertThat(file.get("FILE_DB_PASSWORD").path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo("prod-pg-file");
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
    void postgresRunsUnderCloudNativePgWithTheThreeDatabasesAndTheirRolesUnlessYouBringYourOwn() throws IOException {
        List<ObjectNode> objects = render(new Helm(CHART).template());
        ObjectNode cluster = named(objects, "Cluster", "cy-pg");
        assertThat(cluster.path("spec").path("instances").asInt()).isEqualTo(3);
        JsonNode initdb = cluster.path("spec").path("bootstrap").path("initdb");
        assertThat(initdb.path("database").asText()).isEqualTo("cyberun_gateway");
        assertThat(initdb.path("owner").asText()).isEqualTo("cyberun_gateway");
        assertThat(initdb.path("secret").path("name").asText()).isEqualTo("cyberun-pg-gateway");
        Map<String, String> roles = new LinkedHashMap<>();
        cluster.path("spec").path("managed").path("roles").forEach(r -> roles.put(r.path("name").asText(), r.path("passwordSecret").path("name").asText()));
        assertThat(roles).containsExactly(Map.entry("cyberun_task", "cyberun-pg-task"), Map.entry("cyberun_file", "cyberun-pg-file"));
        Map<String, String> databases = new LinkedHashMap<>();
        kind(objects, "Database").forEach(d -> databases.put(d.path("spec").path("name").asText(), d.path("spec").path("owner").asText()));
        assertThat(databases).containsExactly(Map.entry("cyberun_task", "cyberun_task"), Map.entry("cyberun_file", "cyberun_file"));
        assertThat(kind(objects, "ScheduledBackup")).as("backups are an option").isEmpty();
        Map<String, JsonNode> task = env(named(objects, "Deployment", "cy-task-service"));
        assertThat(task.get("TASK_DB_URL").path("value").asText()).isEqualTo("postgresql://cy-pg-rw:5432/cyberun_task");
        assertThat(task.get("TASK_DB_PASSWORD").path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo("cyberun-pg-task");
        assertThat(task.get("TASK_DB_PASSWORD").path("valueFrom").path("secretKeyRef").path("key").asText()).isEqualTo("password");

        List<ObjectNode> ha = render(new Helm(CHART).template().withValuesFile(CHART.resolve("ci/values-ha.yaml")));
        JsonNode backup = named(ha, "Cluster", "cy-pg").path("spec").path("backup");
        assertThat(backup.path("barmanObjectStore").path("destinationPath").asText()).isEqualTo("s3://acme-cyberun-backups/postgres");
        assertThat(backup.path("barmanObjectStore").path("s3Credentials").path("inheritFromIAMRole").asBoolean()).as("no keys: IRSA").isTrue();
        assertThat(named(ha, "ScheduledBackup", "cy-pg-daily").path("spec").path("schedule").asText()).isEqualTo("0 0 3 * * *");

        List<ObjectNode> byo = render(new Helm(CHART).template().withValuesFile(CHART.resolve("ci/values-byo.yaml")));
        assertThat(kind(byo, "Cluster")).isEmpty();
        assertThat(kind(byo, "Database")).isEmpty();
        assertThat(env(named(byo, "Deployment", "cy-file-service")).get("FILE_DB_URL").path("value").asText())
                .isEqualTo("postgresql://pg.internal:5432/cyberun_file");
    }

    @Test
    void redisIsYoursUnlessATrialAsksForTheChartsSinglePod() throws IOException {
        List<ObjectNode> objects = render(new Helm(CHART).template());
        assertThat(objects).noneMatch(o -> o.path("metadata").path("name").asText().equals("cy-redis"));
        assertThat(env(named(objects, "Deployment", "cy-scheduler-service")).get("REDIS_URL").path("value").asText()).isEqualTo("redis://redis:6379");

        List<ObjectNode> trial = render(new Helm(CHART).template().withValuesFile(CHART.resolve("ci/values-trial.yaml")));
        ObjectNode redis = named(trial, "Deployment", "cy-redis");
        assertThat(redis.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(container(redis).path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(named(trial, "Service", "cy-redis").path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(6379);
        for (String service : List.of("gateway-service", "scheduler-service", "agent-hub")) {
            assertThat(env(named(trial, "Deployment", "cy-" + service)).get("REDIS_URL").path("value").asText()).isEqualTo("redis://cy-redis:6379");
        }
        assertThat(callers(trial, "cy-redis")).containsExactly("agent-hub", "gateway-service", "scheduler-service");
    }

    @Test
    void withoutAnS3KeysSecretFileServiceUsesTheDefaultCredentialsChainAndVirtualHostedUrls() throws IOException {
        List<ObjectNode> objects = render(new Helm(CHART).template().set("serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn",
                "arn:aws:iam::123456789012:role/cyberun"));
        Map<String, JsonNode> file = env(named(objects, "Deployment", "cy-file-service"));
        assertThat(file.get("S3_CREDENTIALS").path("value").asText()).isEqualTo("default");
        assertThat(file.get("S3_PATH_STYLE").path("value").asText()).isEqualTo("false");
        assertThat(file).doesNotContainKeys("S3_ACCESS_KEY", "S3_SECRET_KEY");
        assertThat(file.get("S3_URL").path("value").asText()).isEqualTo("https://s3.us-east-1.amazonaws.com");
        ObjectNode account = named(objects, "ServiceAccount", "cy-cyberun");
        assertThat(account.path("metadata").path("annotations").path("eks.amazonaws.com/role-arn").asText()).isEqualTo("arn:aws:iam::123456789012:role/cyberun");
        assertThat(named(objects, "Deployment", "cy-file-service").path("spec").path("template").path("spec").path("serviceAccountName").asText())
                .isEqualTo("cy-cyberun");

        Map<String, JsonNode> keyed = env(named(render(new Helm(CHART).template().withValuesFile(CHART.resolve("ci/values-byo.yaml"))),
                "Deployment", "cy-file-service"));
        assertThat(keyed.get("S3_CREDENTIALS").path("value").asText()).isEqualTo("static");
        assertThat(keyed.get("S3_PATH_STYLE").path("value").asText()).isEqualTo("true");
        assertThat(keyed.get("S3_ACCESS_KEY").path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo("prod-s3");
    }

    @Test
    void aValueOfTheWrongShapeIsRefusedAtInstallTimeWithAMessage() {
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("services.task-service.replicas", "two")))
                .hasMessageContaining("replicas");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("redis.url", "redis-host:6379")))
                .hasMessageContaining("redis");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("postgres.databases.task.existingSecret", "")))
                .hasMessageContaining("existingSecret");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("postgres.cloudnativepg.backup.schedule", "0 3 * * *")))
                .hasMessageContaining("schedule");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("managementPort", 80)))
                .hasMessageContaining("managementPort");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("image.pullPolicy", "Sometimes")))
                .hasMessageContaining("pullPolicy");
    }

    /**
     * Every value, at every depth, has a comment: directly above it, or above the first of a group of siblings it
     * belongs to (postgres.host and port) or above the map it is an entry of, or, for a service's fields, the comment
     * of services: that names them.
     */
    @Test
    void everyValueIsExplainedByAComment() throws IOException {
        List<String> lines = Files.readAllLines(CHART.resolve("values.yaml"));
        List<String> unexplained = new ArrayList<>();
        String previous = "";
        boolean previousExplained = false;
        boolean inServices = false;
        for (String line : lines) {
            String trimmed = line.strip();
            int indent = line.length() - line.stripLeading().length();
            if (trimmed.isEmpty()) {
                previous = "";
                previousExplained = false;
                continue;
            }
            if (trimmed.startsWith("#")) {
                previous = line;
                continue;
            }
            if (indent == 0) {
                inServices = trimmed.startsWith("services:");
            }
            int previousIndent = previous.length() - previous.stripLeading().length();
            boolean explained = previous.strip().startsWith("#")
                    || (previousExplained && previousIndent == indent)
                    // the entries of a commented map (postgres.databases: gateway, task, file)
                    || (previousExplained && previousIndent < indent && previous.strip().endsWith(":"))
                    || (inServices && indent == 4);
            if (trimmed.contains(":") && !trimmed.startsWith("-") && !explained) {
                unexplained.add(trimmed);
            }
            previous = line;
            previousExplained = explained;
        }
        assertThat(unexplained).as("values without a comment above them (or above their group)").isEmpty();
    }
}
