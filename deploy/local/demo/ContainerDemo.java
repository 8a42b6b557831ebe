import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * The demo's container service: alice (signed in to the local Keycloak, the team's owner) defines echo-service (the
 * process runtime runs deploy/local/echo-service on the local agent) through the management API and deploys it; once a
 * replica is healthy it is called once through the transparent proxy with the sk- key and the answer printed. Run by
 * bin/demo as {@code java -cp "agent/target/lib/*" ContainerDemo.java <gateway> <token url> <alice's password> <team id> <sk-key>}.
 */
public class ContainerDemo {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    static final String SLUG = "echo-service";

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String admin = aliceToken(args[1], args[2]);
        String team = args[3];
        String key = args[4];
        HttpResponse<String> existing = call("GET", gateway + "/api/v1/r/containers/" + SLUG, key, null, null);
        String id;
        if (existing.statusCode() == 200) {
            id = JSON.readTree(existing.body()).path("id").asText();
            say("container service " + SLUG + " exists (" + id + ")");
        } else {
            String definition = JSON.createObjectNode().put("service_slug", SLUG).put("display_name", "Echo service")
                    .put("docker_image", "cyberun/echo-service").put("health_path", "/health").put("replica_count", 1)
                    .put("usage_prompt", "GET /echo returns the request as JSON; GET /sse?n=5 streams server-sent events.").toString();
            HttpResponse<String> created = call("POST", gateway + "/api/v1/containers", admin, team, definition);
            if (created.statusCode() != 201) {
                fail("creating the container service answered HTTP " + created.statusCode() + ": " + created.body());
            }
            id = JSON.readTree(created.body()).path("id").asText();
            say("POST /api/v1/containers -> 201, service " + SLUG + " (" + id + ")");
        }
        HttpResponse<String> deployed = call("POST", gateway + "/api/v1/containers/" + id + "/deploy", admin, team, "");
        if (deployed.statusCode() != 202) {
            fail("deploying answered HTTP " + deployed.statusCode() + ": " + deployed.body());
        }
        say("POST /api/v1/containers/" + id + "/deploy -> 202; waiting for a healthy replica on the local agent");
        String status = "";
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode s = JSON.readTree(call("GET", gateway + "/api/v1/r/containers/" + SLUG, key, null, null).body());
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
        HttpResponse<String> answer = call("GET", gateway + "/api/v1/r/containers/" + SLUG + "/echo?from=demo", key, null, null);
        say("GET /api/v1/r/containers/" + SLUG + "/echo?from=demo -> " + answer.statusCode() + ":");
        System.out.println("    " + answer.body().strip());
        if (answer.statusCode() != 200) {
            fail("the call through the proxy failed");
        }
    }

    /** {@code team}: the X-Team-ID a user token needs (null for sk- keys, which carry their team). */
    static HttpResponse<String> call(String method, String url, String key, String team, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key);
        if (team != null) {
            b.header("X-Team-ID", team);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String aliceToken(String tokenUrl, String password) throws Exception {
        String form = "grant_type=password&client_id=cyberun-dashboard&username=alice&password="
                + java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(tokenUrl)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            fail("signing in as alice at " + tokenUrl + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        say("signed in as alice (the team's owner) at the local Keycloak");
        return JSON.readTree(r.body()).path("access_token").asText();
    }

    static void say(String line) {
        System.out.println(LocalTime.now().format(TIME) + "  " + line);
    }

    static void fail(String why) {
        System.err.println("container demo failed: " + why);
        System.exit(1);
    }
}
