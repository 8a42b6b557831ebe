import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.json.CyberunJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** What the benchmarks share: a fresh team through the admin bootstrap, percentiles, progress lines. */
final class Bench {
    private Bench() {
    }

    /** Bootstraps a team with one workflow; answers its keys ({@code integration_key}, {@code agent_key}). */
    static JsonNode bootstrap(HttpClient http, String gateway, String adminToken, String team, String workflowJson) throws Exception {
        HttpResponse<String> boot = http.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/admin/bootstrap"))
                .header("X-Cyberun-Admin-Token", adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"team_name\":\"" + team + "\",\"owner_email\":\"" + team
                        + "@example.com\",\"workflows\":[" + workflowJson + "]}")).build(), HttpResponse.BodyHandlers.ofString());
        if (boot.statusCode() != 200) {
            throw new IllegalStateException("bootstrap answered HTTP " + boot.statusCode() + ": " + boot.body());
        }
        return CyberunJson.mapper().readTree(boot.body());
    }

    static <T extends Comparable<T>> T pct(List<T> sorted, int p) {
        return sorted.isEmpty() ? null : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static void say(String format, Object... args) {
        System.out.println("[bench] " + String.format(format, args));
    }
}
