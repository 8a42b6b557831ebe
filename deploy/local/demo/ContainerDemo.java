import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * The demo's container service: defines echo-service (the process runtime runs deploy/local/echo-service on the local
 * agent) with the dk- device key through the management API, deploys it, waits until a replica is healthy, then calls
 * it once through the transparent proxy with the sk- key and prints the answer. Run by bin/demo as
 * {@code java -cp "agent/target/lib/*" ContainerDemo.java <gateway> <dk-key> <sk-key>}.
 */
public class ContainerDemo {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    static final String SLUG = "echo-service";

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String device = args[1];
        String key = args[2];
        HttpResponse<String> existing = call("GET", gateway + "/api/v1/r/containers/" + SLUG, key, null);
        String id;
        if (existing.statusCode() == 200) {
            id = JSON.readTree(existing.body()).path("id").asText();
            say("container service " + SLUG + " exists (" + id + ")");
        } else {
            String definition = JSON.createObjectNode().put("service_slug", SLUG).put("display_name", "Echo service")
                    .put("docker_image", "cyberun/echo-service").put("health_path", "/health").put("replica_count", 1)
                    .put("usage_prompt", "GET /echo returns the request as JSON; GET /sse?n=5 streams server-sent events.").toString();
            HttpResponse<String> created = call("POST", gateway + "/api/v1/containers", device, definition);
            if (created.statusCode() != 201) {
                fail("creating the container service answered HTTP " + created.statusCode() + ": " + created.body());
            }
            id = JSON.readTree(created.body()).path("id").asText();
            say("POST /api/v1/containers -> 201, service " + SLUG + " (" + id + ")");
        }
        HttpResponse<String> deployed = call("POST", gateway + "/api/v1/containers/" + id + "/deploy", device, "");
        if (deployed.statusCode() != 202) {
            fail("deploying answered HTTP " + deployed.statusCode() + ": " + deployed.body());
        }
        say("POST /api/v1/containers/" + id + "/deploy -> 202; waiting for a healthy replica on the local agent");
        String status = "";
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode s = JSON.readTree(call("GET", gateway + "/api/v1/r/containers/" + SLUG, key, null).body());
            String now = s.path("service_status").asText() + (s.path("status_reason").isTextual() ? " (" + s.path("status_reason").asText() + ")" : "");
            if (!now.equals(status)) {
                say("  service_status " + now);
                status = now;
            }
            if ("running".equals(s.path("service_status").asText())) {
                break;
            }
            if ("failed".equals(s.path("service_status").asText())) {
                fail("the service failed; see .local/logs/agent.log");
            }
            Thread.sleep(500);
        }
        if (!status.startsWith("running")) {
            fail("no replica became healthy within 2 minutes; see .local/logs/agent.log and scheduler-service.log");
        }
        HttpResponse<String> answer = call("GET", gateway + "/api/v1/r/containers/" + SLUG + "/echo?from=demo", key, null);
        say("GET /api/v1/r/containers/" + SLUG + "/echo?from=demo -> " + answer.statusCode() + ":");
        System.out.println("    " + answer.body().strip());
        if (answer.statusCode() != 200) {
            fail("the call through the proxy failed");
        }
    }

    static HttpResponse<String> call(String method, String url, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key);
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void say(String line) {
        System.out.println(LocalTime.now().format(TIME) + "  " + line);
    }

    static void fail(String why) {
        System.err.println("container demo failed: " + why);
        System.exit(1);
    }
}
