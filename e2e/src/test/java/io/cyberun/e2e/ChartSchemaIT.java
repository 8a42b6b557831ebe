package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every object the chart renders, for its defaults and every values file of {@code ci/}, validated offline against
 * the Kubernetes API schemas and the Strimzi, CloudNativePG and prometheus-operator CRD schemas (Node's
 * kubernetes-models packages, pinned in {@code e2e/clients/package-lock.json}, through
 * {@code clients/validate-manifests.mjs}, which shares no code with the chart). Needs no running server.
 */
class ChartSchemaIT {
    static final Path OUT = Path.of("target", "chart-schema").toAbsolutePath();
    /** The rendered manifests of each values set, as files. */
    static Map<String, Path> rendered;

    @BeforeAll
    static void install() throws Exception {
        NodeClients.install();
        Files.createDirectories(OUT);
        rendered = renderAll();
    }

    /** The chart rendered once per values set: the defaults, ci/'s files, and every optional object switched on. */
    static Map<String, Path> renderAll() throws Exception {
        Map<String, UnaryOperator<TemplateCommand>> sets = new LinkedHashMap<>();
        sets.put("defaults", t -> t);
        for (String file : List.of("values-ha.yaml", "values-byo.yaml", "values-trial.yaml")) {
            sets.put(file.replace(".yaml", ""), t -> t.withValuesFile(Charts.CHART.resolve("ci").resolve(file)));
        }
        sets.put("everything-on", t -> t.set("serviceMonitor.enabled", true).set("redis.simple.enabled", true)
                .set("postgres.cloudnativepg.backup.enabled", true).set("postgres.cloudnativepg.backup.existingSecret", "pg-backup")
                .set("postgres.cloudnativepg.backup.endpointURL", "https://s3.example.com").set("admin.existingSecret", "cyberun-admin")
                .set("otel.endpoint", "http://otel:4317").set("ingress.tlsSecret", "tls").set("s3.existingSecret", "s3-keys"));
        Map<String, Path> files = new LinkedHashMap<>();
        for (var set : sets.entrySet()) {
            String yaml = Charts.render(set.getValue().apply(Charts.template()));
            files.put(set.getKey(), Files.writeString(OUT.resolve(set.getKey() + ".yaml"), yaml));
        }
        return files;
    }

    static NodeClients.Run validate(List<Path> files) throws Exception {
        List<String> args = new ArrayList<>(List.of("validate-manifests.mjs"));
        files.forEach(f -> args.add(f.toString()));
        return NodeClients.node(args, Map.of(), 120);
    }

    @Test
    void everyObjectOfEveryValuesSetIsValidAgainstTheKubernetesAndOperatorSchemas() throws Exception {
        NodeClients.Run run = validate(List.copyOf(rendered.values()));
        assertThat(run.exit()).as(run.describe()).isZero();
        JsonNode summary = run.summary();
        assertThat(summary.path("files").asInt()).isEqualTo(rendered.size());
        List<String> kinds = new ArrayList<>();
        summary.path("kinds").fieldNames().forEachRemaining(kinds::add);
        assertThat(kinds).as("every kind the chart can render was checked").contains("apps/v1 Deployment", "apps/v1 StatefulSet", "v1 Service",
                "v1 ServiceAccount", "networking.k8s.io/v1 Ingress", "networking.k8s.io/v1 NetworkPolicy", "policy/v1 PodDisruptionBudget",
                "autoscaling/v2 HorizontalPodAutoscaler", "kafka.strimzi.io/v1beta2 Kafka", "kafka.strimzi.io/v1beta2 KafkaNodePool",
                "kafka.strimzi.io/v1beta2 KafkaTopic", "postgresql.cnpg.io/v1 Cluster", "postgresql.cnpg.io/v1 Database",
                "postgresql.cnpg.io/v1 ScheduledBackup", "monitoring.coreos.com/v1 ServiceMonitor", "monitoring.coreos.com/v1 PrometheusRule");
    }

    @Test
    void anObjectTheApiServerWouldRefuseFailsTheValidationNamingIt() throws Exception {
        List<ObjectNode> objects = Charts.objects(Files.readString(rendered.get("defaults")));
        for (ObjectNode o : objects) {
            String name = o.path("metadata").path("name").asText();
            switch (o.path("kind").asText() + " " + name) {
                // Each mistake one a template could make: a string where the API wants a number, an unknown enum
                // value, a missing required field, a name the API server refuses.
                case "Deployment cy-task-service" -> ((ObjectNode) o.path("spec").path("template").path("spec").path("containers").get(0)
                        .path("ports").get(0)).put("containerPort", "8081");
                case "KafkaTopic task-events" -> ((ObjectNode) o.path("spec")).put("partitions", "twelve");
                case "Cluster cy-pg" -> ((ObjectNode) o.path("spec")).put("instances", "three");
                case "Service cy-file-service" -> ((ObjectNode) o.path("metadata")).put("name", "Cy_File");
                case "NetworkPolicy cy-gateway-service" -> ((ObjectNode) o.path("spec")).putArray("policyTypes").add("Sideways");
                default -> {
                }
            }
        }
        Path broken = OUT.resolve("broken.yaml");
        StringBuilder text = new StringBuilder();
        for (ObjectNode o : objects) {
            text.append("---\n").append(Charts.YAML.writeValueAsString(o));
        }
        Files.writeString(broken, text);
        NodeClients.Run run = validate(List.of(broken));
        assertThat(run.exit()).as(run.describe()).isEqualTo(1);
        List<String> refused = new ArrayList<>();
        run.summary().path("invalid").forEach(i -> refused.add(i.path("object").asText() + ": " + i.path("error").asText()));
        assertThat(refused).as(run.describe()).hasSize(5).anySatisfy(r -> assertThat(r).startsWith("Deployment cy-task-service").contains("containerPort"))
                .anySatisfy(r -> assertThat(r).startsWith("KafkaTopic task-events").contains("partitions"))
                .anySatisfy(r -> assertThat(r).startsWith("Cluster cy-pg").contains("instances"))
                .anySatisfy(r -> assertThat(r).startsWith("Service Cy_File").contains("metadata.name"))
                .anySatisfy(r -> assertThat(r).startsWith("NetworkPolicy cy-gateway-service").contains("policyTypes"));
    }
}
