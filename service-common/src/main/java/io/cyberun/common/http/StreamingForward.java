package io.cyberun.common.http;

import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.json.CyberunJson;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Forwards a request as it is (method, path, query, headers but the hop-by-hop ones, body) to another server and
 * relays the answer, streaming both bodies; a WebSocket upgrade becomes a WebSocket to the other server, relayed
 * message for message. Nothing is gathered in memory. The request must be paused by the caller.
 */
public final class StreamingForward {
    /** Hop-by-hop headers (RFC 9110), the WebSocket handshake's own, and credentials that stay at this hop. */
    public static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "upgrade", "host", "authorization", "x-cyberun-principal", "sec-websocket-key", "sec-websocket-version",
            "sec-websocket-extensions", "sec-websocket-accept");
    public static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade", "trailer");

    private StreamingForward() {
    }

    /** Forwards {@code in} to {@code target} (scheme, host and port; the request's own path is kept). */
    public static void forward(HttpServerRequest in, HttpClient client, URI target) {
        forward(in, client, target, Set.of());
    }

    /** The same, also passing on the named headers (lower case) that are otherwise kept back, and adding {@code extra}. */
    public static void forward(HttpServerRequest in, HttpClient client, URI target, Set<String> keep, String... extra) {
        MultiMap headers = headers(in, keep);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            headers.set(extra[i], extra[i + 1]);
        }
        String upgrade = in.getHeader("Upgrade");
        if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(target.getHost()).setPort(target.getPort())
                    .setURI(in.uri()).setHeaders(headers);
            String protocols = in.getHeader("Sec-WebSocket-Protocol");
            if (protocols != null) {
                options.setSubProtocols(Arrays.stream(protocols.split(",")).map(String::strip).toList());
            }
            client.webSocket(options).onSuccess(there -> {
                // Upgraded while still paused: resuming first would let the request end before the upgrade.
                in.toWebSocket().onSuccess(here -> WebSocketRelay.relay(here, there)).onFailure(e -> there.close());
            }).onFailure(e -> {
                in.resume();
                int status = e instanceof UpgradeRejectedException r ? r.getStatus() : 502;
                String body = e instanceof UpgradeRejectedException r && r.getBody() != null ? r.getBody().toString() : null;
                if (body != null && body.startsWith("{")) {
                    answer(in.response(), status, body);
                } else {
                    error(in.response(), status, "the WebSocket could not be opened: " + status);
                }
            });
            return;
        }
        RequestOptions options = new RequestOptions().setHost(target.getHost()).setPort(target.getPort()).setMethod(in.method())
                .setURI(in.uri()).setHeaders(headers).setIdleTimeout(0);
        client.request(options)
                .compose(request -> {
                    if (in.headers().contains("Content-Length") || in.headers().contains("Transfer-Encoding")) {
                        if (!in.headers().contains("Content-Length")) {
                            request.setChunked(true);
                        }
                        return request.send(in);
                    }
                    in.resume();
                    return request.send();
                })
                .onSuccess(response -> relay(in.response(), response, null))
                .onFailure(e -> {
                    in.resume();
                    error(in.response(), 502, "no answer from " + target.getHost() + ":" + target.getPort() + ": " + e.getMessage());
                });
    }

    /**
     * Relays an answer: status, headers but the hop-by-hop ones (then {@code answerHeaders}, if any, may change them),
     * and the body as it comes. A client that goes away ends the request upstream too.
     */
    public static void relay(HttpServerResponse out, HttpClientResponse response, Consumer<MultiMap> answerHeaders) {
        if (out.ended() || out.closed()) {
            response.request().reset();
            return;
        }
        out.setStatusCode(response.statusCode());
        response.headers().forEach(h -> {
            if (!NOT_RETURNED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                out.headers().add(h.getKey(), h.getValue());
            }
        });
        if (answerHeaders != null) {
            answerHeaders.accept(out.headers());
        }
        if (!out.headers().contains("Content-Length")) {
            out.setChunked(true);
        }
        response.pipeTo(out);
        // Only an answer still coming is ended upstream: Vert.x closes the connection of a stream reset after its
        // response ended, and by then that connection may be back in the pool carrying another request.
        out.closeHandler(v -> {
            if (!response.end().isComplete()) {
                response.request().reset();
            }
        });
    }

    private static MultiMap headers(HttpServerRequest in, Set<String> keep) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        in.headers().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) || keep.contains(name)) {
                headers.add(h.getKey(), h.getValue());
            }
        });
        if (!headers.contains("X-Forwarded-For") && in.remoteAddress() != null) {
            headers.set("X-Forwarded-For", in.remoteAddress().hostAddress());
        }
        return headers;
    }

    /**
     * Answers an error the project's way ({@link ErrorBody}): {@code not_found} for 404, {@code invalid_request} for 400,
     * {@code upstream_unavailable} for anything else (what stands behind this hop did not answer as it should).
     */
    public static void error(HttpServerResponse out, int status, String message) {
        ErrorCode code = status == 404 ? ErrorCode.NOT_FOUND : status == 400 ? ErrorCode.INVALID_REQUEST : ErrorCode.UPSTREAM_UNAVAILABLE;
        String body;
        try {
            body = CyberunJson.mapper().writeValueAsString(ErrorBody.of(code, message));
        } catch (Exception e) {
            body = "{\"error_code\":\"" + code.code() + "\"}";
        }
        answer(out, status, body);
    }

    private static void answer(HttpServerResponse out, int status, String json) {
        if (!out.ended()) {
            out.setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
        }
    }
}
