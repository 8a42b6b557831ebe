package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.testing.Endpoints;
import io.cyberun.testing.Namespace;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Helm chart, exercised: rendered for a namespace of its own on the local servers (its own databases, topics,
 * buckets and Redis prefix), every service started with exactly the environment and JVM options its rendered pod spec
 * gives it (secrets resolved from the Secrets the values name, in-cluster addresses rewritten to local ports), every
 * probe path answered, and a task run end to end through the chart's gateway, hub and scheduler only. A chart that
 * forgets a variable a service needs fails here.
 */
@ExtendWith(SharedStack.class)
class ChartIT {
    static final List<String> SERVICES = List.of("file-service", "task-service", "scheduler-service", "agent-hub", "gateway-service", "mcp-service");
    static CyberunStack stack;
    static Namespace ns;
    static final Map<String, ServiceProcess> started = new LinkedHashMap<>();
    static final Map<String, ObjectNode> pods = new LinkedHashMap<>();
    /** This machine's port for each service's API and management port (in the cluster every pod has them all). */
    static final Map<String, Integer> ports = new LinkedHashMap<>();
    static final Map<String, Integer> managementPorts = new LinkedHashMap<>();
    static int chartManagementPort;

    @BeforeAll
    static void install() throws Exception {
        stack = CyberunStack.shared();
        Endpoints e = stack.ctx.endpoints();
        ns = Namespace.fresh(e);
        for (String service : SERVICES) {
            ports.put(service, ServiceProcess.freePort());
            managementPorts.put(service, ServiceProcess.freePort());
        }

        ObjectNode values = Charts.YAML.createObjectNode();
        values.put("publicUrl", "http://127.0.0.1:" + ports.get("gateway-service"));
        values.putObject("kafka").put("bootstrapServers", e.kafkaBootstrap()).put("topicPrefix", ns.topicPrefix())
                .putObject("strimzi").put("enabled", false);
        values.putObject("redis").put("url", e.redisUrl()).put("keyPrefix", ns.redisPrefix());
        ObjectNode pg = values.putObject("postgres").put("host", e.pgHost()).put("port", e.pgPort());
        pg.putObject("cloudnativepg").put("enabled", false);
        ObjectNode dbs = pg.putObject("databases");
        for (String db : List.of("gateway", "task", "file")) {
            dbs.putObject(db).put("database", ns.database(db)).put("user", e.pgAdminUser()).put("existingSecret", "pg-" + db);
        }
        ObjectNode s3 = values.putObject("s3").put("endpoint", e.s3Endpoint()).put("existingSecret", "s3").put("createBuckets", false)
                .put("pathStyle", true);
        s3.putObject("buckets").put("inputs", ns.bucket("inputs")).put("outputs", ns.bucket("outputs")).put("models", ns.bucket("models"));
        values.putObject("oidc").put("issuerUrl", e.oidcRealmUrl()).put("existingSecret", "oidc");
        values.putObject("principal").put("existingSecret", "principal");
        values.putObject("admin").put("existingSecret", "admin");
        values.putObject("services").putObject("mcp-service").put("replicas", 1);
        Path valuesFile = Files.createDirectories(stack.root.resolve("e2e/target/chart")).resolve("values-local.yaml");
        Charts.YAML.writeValue(valuesFile.toFile(), values);
        chartManagementPort = Charts.YAML.readTree(Charts.CHART.resolve("values.yaml").toFile()).path("managementPort").asInt();
        Map<String, Map<String, String>> secrets = Map.of(
                "pg-gateway", Map.of("username", e.pgAdminUser(), "password", e.pgAdminPassword()),
                "pg-task", Map.of("username", e.pgAdminUser(), "password", e.pgAdminPassword()),
                "pg-file", Map.of("username", e.pgAdminUser(), "password", e.pgAdminPassword()),
                "s3", Map.of("accessKeyId", e.s3AccessKey(), "secretAccessKey", e.s3SecretKey()),
                "oidc", Map.of("clientSecret", e.oidcClientSecret()),
                "principal", Map.of("publicKey", stack.ctx.publicKey(), "privateKey", stack.ctx.privateKey()),
                "admin", Map.of("token", stack.ctx.adminToken()));

        String rendered = Charts.render(Charts.template().withValuesFile(valuesFile));
        Files.writeString(valuesFile.resolveSibling("rendered.yaml"), rendered);
        for (ObjectNode o : Charts.objects(rendered)) {
            String kind = o.path("kind").asText();
            if (kind.equals("Deployment") || kind.equals("StatefulSet")) {
                pods.put(o.path("spec").path("template").path("spec").path("containers").get(0).path("name").asText(), o);
            }
        }
        assertThat(pods.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);

        for (String service : SERVICES) {
            JsonNode container = pods.get(service).path("spec").path("template").path("spec").path("containers").get(0);
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode var : container.path("env")) {
                env.put(var.path("name").asText(), resolve(var, secrets, service));
            }
            // The one thing the pod does not say: on this machine every service needs ports of its own.
            assertThat(env.get("QUARKUS_MANAGEMENT_PORT")).isEqualTo(Integer.toString(chartManagementPort));
            env.put("QUARKUS_HTTP_PORT", Integer.toString(ports.get(service)));
            env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPorts.get(service)));
            // The image's entrypoint (ImagesIT checks it); its JVM takes the chart's options from JAVA_TOOL_OPTIONS, and on
            // this machine a fixed heap keeps six JVMs small.
            assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=");
            List<String> command = new ArrayList<>(List.of(ServiceProcess.java(), "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                    "-Xmx256m", "-jar", stack.root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar").toString()));
            started.put(service, ServiceProcess.start("chart-" + service, ports.get(service), managementPorts.get(service), command, env, stack.logs));
        }
        for (ServiceProcess p : started.values()) {
            p.awaitReady(Duration.ofMinutes(3));
        }
    }

    /** A variable's value as the kubelet would set it: literal, from a Secret, or from the pod's own fields. */
    static String resolve(JsonNode var, Map<String, Map<String, String>> secrets, String service) {
        if (var.has("value")) {
            // The pod's own address (a variable the kubelet expands) is the service's here.
            String value = var.path("value").asText().replace("$(POD_IP)", "cy-" + service);
            // In-cluster addresses (Services, the StatefulSet's stable names) become this machine's ports: a service's
            // management port or its API port.
            for (String s : SERVICES) {
                value = value.replaceAll("http://cy-" + s + "(-0\\.cy-" + s + "-headless)?:" + chartManagementPort + "\\b",
                        "http://127.0.0.1:" + managementPorts.get(s));
                value = value.replaceAll("http://cy-" + s + "(-0\\.cy-" + s + "-headless)?:[0-9]+", "http://127.0.0.1:" + ports.get(s));
            }
            return value;
        }
        JsonNode secret = var.path("valueFrom").path("secretKeyRef");
        if (!secret.isMissingNode()) {
            String found = secrets.getOrDefault(secret.path("name").asText(), Map.of()).get(secret.path("key").asText());
            assertThat(found).as("%s: the Secret %s has a key %s", var.path("name").asText(), secret.path("name").asText(), secret.path("key").asText())
                    .isNotNull();
            return found;
        }
        String field = var.path("valueFrom").path("fieldRef").path("fieldPath").asText();
        if (field.equals("status.podIP")) {
            return "127.0.0.1";
        }
        assertThat(field).isEqualTo("metadata.name");
        return "cy-" + service + "-0";
    }

    @AfterAll
    static void stop() {
        started.values().forEach(ServiceProcess::close);
    }

    @Test
    void everyProbeOfTheRenderedPodsAnswers() throws Exception {
        for (String service : SERVICES) {
            JsonNode container = pods.get(service).path("spec").path("template").path("spec").path("containers").get(0);
            Map<String, Integer> local = Map.of("http", ports.get(service), "management", managementPorts.get(service));
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                String path = get.path("path").asText();
                // The probe names a container port; this machine's port stands in for it.
                Integer port = local.get(get.path("port").asText());
                assertThat(port).as("%s %s names a port of the container: %s", service, probe, get.path("port")).isNotNull();
                HttpResponse<String> r = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("%s %s %s: %s", service, probe, path, r.body()).isEqualTo(200);
            }
            HttpResponse<String> metrics = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(started.get(service).managementUrl() + "/q/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).as("%s serves the ServiceMonitor's path on its management port", service).isEqualTo(200);
        }
    }

    @Test
    void aTaskRunsEndToEndOnTheServicesTheChartConfigured() throws Exception {
        String gateway = started.get("gateway-service").url();
        JsonNode team = WalkingSkeletonIT.bootstrapAt(gateway, stack.ctx.adminToken(), "Chart team", "chart@example.com", stack.workflowJson());
        String sk = team.path("integration_key").asText();
        stack.agent(new CyberunStack.AgentOptions("chart-agent", team.path("agent_key").asText(), "exec, demo, cpu")
                .hubs(started.get("agent-hub")).env("DEMO_STEP_SECONDS", "0.05"));

        HttpResponse<String> run = WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/workflows/slug/demo-render/run"))
                .header("Authorization", "Bearer " + sk).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\":{\"prompt\":\"charted\",\"steps\":3}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
        String task = WalkingSkeletonIT.json(run.body()).path("task_id").asText();
        JsonNode[] last = new JsonNode[1];
        Awaitility.await("the task completes on the chart's services").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = WalkingSkeletonIT.json(WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/tasks/" + task))
                    .header("Authorization", "Bearer " + sk).build(), HttpResponse.BodyHandlers.ofString()).body());
            return last[0].path("status").asText().equals("completed");
        });
        assertThat(last[0].path("gateway_id").asText()).as("the chart's hub held the agent").isEqualTo("hub-cy-agent-hub-0");
        JsonNode result = WalkingSkeletonIT.json(WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/tasks/" + task + "/result"))
                .header("Authorization", "Bearer " + sk).build(), HttpResponse.BodyHandlers.ofString()).body());
        String prompt = result.path("download_urls").path("prompt.txt").asText();
        assertThat(WalkingSkeletonIT.HTTP.send(HttpRequest.newBuilder(URI.create(prompt)).build(), HttpResponse.BodyHandlers.ofString()).body())
                .as("the output downloads from the chart's buckets").isEqualTo("charted\n");
        assertThat(ns.query("task", "select count(*) from task")).as("the task is in the chart's own database").containsExactly("1");
    }
}
