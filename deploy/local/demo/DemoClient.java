import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * The demo's client: runs the demo workflow through the gateway with an sk- key, prints the task's events as the
 * SSE stream delivers them, then fetches the result and downloads an output. Run by bin/demo as
 * {@code java -cp "agent/target/lib/*" DemoClient.java <gateway> <sk-key> <prompt>}.
 */
public class DemoClient {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String key = args[1];
        String prompt = args.length > 2 ? args[2] : "hello, Cyberun";
        long start = System.nanoTime();

        String body = JSON.createObjectNode().set("parameters", JSON.createObjectNode().put("prompt", prompt).put("steps", 6)).toString();
        HttpResponse<String> run = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/workflows/slug/demo-render/run"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (run.statusCode() != 202) {
            fail("the run request answered HTTP " + run.statusCode() + ": " + run.body());
        }
        String task = JSON.readTree(run.body()).path("task_id").asText();
        say("POST /api/v1/r/workflows/slug/demo-render/run -> 202, task " + task);
        say("streaming GET /api/v1/r/tasks/" + task + "/events:");

        HttpResponse<java.util.stream.Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/tasks/" + task + "/events"))
                .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream").timeout(Duration.ofMinutes(5)).build(),
                HttpResponse.BodyHandlers.ofLines());
        if (stream.statusCode() != 200) {
            fail("the event stream answered HTTP " + stream.statusCode());
        }
        String event = null;
        String id = null;
        String last = null;
        for (String line : (Iterable<String>) stream.body()::iterator) {
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ") && event != null) {
                JsonNode data = JSON.readTree(line.substring(6));
                last = event;
                System.out.printf("  %s  #%-3s %-9s %s%n", LocalTime.now().format(TIME), id, event, describe(event, data));
            }
        }
        if (!"completed".equals(last)) {
            fail("the task ended " + last + "; see deploy/local/services logs agent");
        }

        JsonNode result = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/r/tasks/" + task + "/result"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).body());
        say("GET /api/v1/r/tasks/" + task + "/result -> fresh download links, valid until " + result.path("expires_at").asText() + ":");
        result.path("download_urls").properties().forEach(e -> System.out.println("  " + e.getKey() + "  " + e.getValue().asText()));
        String promptUrl = result.path("download_urls").path("prompt.txt").asText();
        String downloaded = HTTP.send(HttpRequest.newBuilder(URI.create(promptUrl)).build(), HttpResponse.BodyHandlers.ofString()).body();
        say("downloaded prompt.txt straight from object storage: \"" + downloaded.strip() + "\"");
        say(String.format("task completed %.1f s after the run request", (System.nanoTime() - start) / 1e9));
    }

    static String describe(String event, JsonNode d) {
        return switch (event) {
            case "status" -> d.path("status").asText() + (d.has("agent_id") ? " (agent " + d.path("agent_id").asText() + ", attempt "
                    + d.path("attempt").asInt() + ")" : "");
            case "progress" -> bar(d.path("progress").asDouble()) + String.format(" %3.0f%%", d.path("progress").asDouble() * 100)
                    + (d.has("step_current") ? "  step " + d.path("step_current").asInt() + "/" + d.path("step_total").asInt() : "");
            case "log" -> {
                StringBuilder sb = new StringBuilder();
                for (JsonNode l : d.path("lines")) {
                    sb.append(sb.length() == 0 ? "" : " | ").append(l.path("text").asText());
                }
                yield sb.toString();
            }
            case "preview" -> d.path("content_type").asText() + ", " + d.path("size").asLong() + " bytes: GET " + d.path("url").asText();
            case "completed" -> d.path("output").path("files").size() + " output file(s)";
            case "failed" -> "FAILED: " + d.path("error").asText();
            default -> d.path("status").asText();
        };
    }

    static String bar(double p) {
        int filled = (int) Math.round(p * 20);
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
    }

    static void say(String text) {
        System.out.println("[demo] " + text);
    }

    static void fail(String text) {
        System.err.println("[demo] error: " + text);
        System.exit(1);
    }
}
