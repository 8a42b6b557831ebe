package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The platform's REST API as the CLI calls it: JSON in and out, the credential as a bearer token, and every refusal
 * turned into a {@link CliException} that carries the API's {@code error_message}, its field details and what to do.
 * <p>
 * The credential comes from {@code CYBERUN_API_KEY} (an {@code sk-} or {@code dk-} key), or {@code CYBERUN_TOKEN} with
 * {@code CYBERUN_TEAM_ID} (a user's access token), or else the key {@code cyberun login} stored.
 */
final class Api {
    static final String DEFAULT_SERVER = "http://127.0.0.1:8080";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    final String server;
    private final String bearer;
    private final String teamId;

    Api(String server, String bearer, String teamId) {
        this.server = stripSlash(server);
        this.bearer = bearer;
        this.teamId = teamId;
    }

    /** The server from the option, the environment, the stored config, or the local default. */
    static String server(String option, Config config) {
        if (option != null && !option.isBlank()) {
            return stripSlash(option);
        }
        String env = System.getenv("CYBERUN_SERVER");
        if (env != null && !env.isBlank()) {
            return stripSlash(env);
        }
        String stored = config.get("server");
        return stored != null ? stored : DEFAULT_SERVER;
    }

    /** An API with no credential, for the anonymous pairing endpoints. */
    static Api anonymous(String server) {
        return new Api(server, null, null);
    }

    /** An API with the user's credential; fails with what to do when there is none. */
    static Api signedIn(String serverOption) {
        Config config = Config.load();
        String server = server(serverOption, config);
        String key = System.getenv("CYBERUN_API_KEY");
        if (key != null && !key.isBlank()) {
            return new Api(server, key.trim(), null);
        }
        String token = System.getenv("CYBERUN_TOKEN");
        if (token != null && !token.isBlank()) {
            String team = System.getenv("CYBERUN_TEAM_ID");
            if (team == null || team.isBlank()) {
                throw new CliException(CliException.USAGE, "CYBERUN_TOKEN is a user token: it needs CYBERUN_TEAM_ID as well",
                        "export CYBERUN_TEAM_ID=<your team's id> (cyberun teams lists them)");
            }
            return new Api(server, token.trim(), team.trim());
        }
        String stored = config.get("api_key");
        if (stored == null) {
            throw new CliException(CliException.NOT_ALLOWED, "not signed in",
                    "run cyberun login (or export CYBERUN_API_KEY=sk-... for scripts)");
        }
        return new Api(server, stored, null);
    }

    /** Whether the credential is a user's access token (which credential management and team listing need). */
    boolean isUserToken() {
        return bearer != null && !bearer.startsWith("sk-") && !bearer.startsWith("dk-") && !bearer.startsWith("ak-");
    }

    String bearerPrefix() {
        return bearer == null ? "none" : bearer.length() > 12 ? bearer.substring(0, 12) + "..." : bearer;
    }

    JsonNode get(String path) {
        return send("GET", path, null, Map.of());
    }

    JsonNode post(String path, Object body) {
        return send("POST", path, body, Map.of());
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null, Map.of());
    }

    /** Sends a JSON request and returns the JSON answer (null for an empty body); a non-2xx answer throws. */
    JsonNode send(String method, String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder request = request(path).timeout(Duration.ofSeconds(60));
        headers.forEach(request::header);
        try {
            if (body != null) {
                request.header("Content-Type", "application/json");
                request.method(method, HttpRequest.BodyPublishers.ofString(Config.JSON.writeValueAsString(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw refusal(method, path, r.statusCode(), r.body());
            }
            return r.body() == null || r.body().isBlank() ? null : Config.JSON.readTree(r.body());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNAVAILABLE, "interrupted", null);
        }
    }

    /** A streaming GET (server-sent events); the caller reads and closes the body. */
    HttpResponse<InputStream> stream(String path, Map<String, String> headers) throws InterruptedException {
        HttpRequest.Builder request = request(path).setHeader("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path)).header("Accept", "application/json")
                .header("User-Agent", "cyberun-cli/" + Cyberun.VERSION);
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (teamId != null) {
            b.header("X-Team-ID", teamId);
        }
        return b;
    }

    CliException unreachable(IOException e) {
        String why = e instanceof ConnectException ? "connection refused"
                : e instanceof HttpConnectTimeoutException ? "no answer within 10 s"
                : e instanceof HttpTimeoutException ? "the request timed out" : String.valueOf(e.getMessage());
        return new CliException(CliException.UNAVAILABLE, "cannot reach the Cyberun gateway at " + server + " (" + why + ")",
                "check --server or CYBERUN_SERVER; on this machine, bin/demo starts the platform");
    }

    /** The API's error body as a message, its field details, the exit code for the status and what to do next. */
    static CliException refusal(String method, String path, int status, String body) {
        String message = null;
        String code = null;
        StringJoiner fields = new StringJoiner("; ");
        try {
            JsonNode error = body == null || body.isBlank() ? null : Config.JSON.readTree(body);
            if (error != null && error.isObject()) {
                message = error.path("error_message").asText(null);
                code = error.path("error_code").asText(null);
                for (JsonNode d : error.path("details")) {
                    fields.add(d.path("field").asText("?") + ": " + d.path("message").asText(""));
                }
            }
        } catch (IOException ignored) {
            // not JSON: said below with the status only
        }
        String text = (message == null ? "HTTP " + status + " from " + method + " " + path : message)
                + (fields.length() > 0 ? " (" + fields + ")" : "");
        return switch (status) {
            case 401 -> new CliException(CliException.NOT_ALLOWED, text,
                    "sign in again with cyberun login (the key may be revoked or expired)");
            case 403 -> new CliException(CliException.NOT_ALLOWED, text, "this credential's role may not do that; ask a team admin");
            case 404 -> new CliException(CliException.REFUSED, text, "check the id or slug (cyberun workflows list, cyberun tasks list)");
            case 429 -> new CliException(CliException.UNAVAILABLE, text, "rate limited: wait a few seconds and try again");
            default -> status >= 500
                    ? new CliException(CliException.UNAVAILABLE, text, "the platform is unavailable right now; try again shortly"
                            + (code == null ? "" : " (" + code + ")"))
                    : new CliException(CliException.REFUSED, text, null);
        };
    }

    static String query(Map<String, Object> params) {
        StringJoiner q = new StringJoiner("&", "?", "");
        q.setEmptyValue("");
        new LinkedHashMap<>(params).forEach((k, v) -> {
            if (v != null) {
                q.add(k + "=" + URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
            }
        });
        return q.toString();
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
