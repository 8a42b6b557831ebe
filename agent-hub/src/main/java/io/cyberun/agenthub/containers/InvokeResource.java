package io.cyberun.agenthub.containers;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The structured call of a container service, {@code POST /api/v1/r/invoke/<slug>}: a JSON description of one HTTP
 * request in, a JSON description of the answer out (the body base64-encoded, at most {@link #MAX_BODY} bytes). The
 * path must be a path on the service: absolute URLs, protocol-relative ({@code //host}) and host-bearing input are
 * refused with a 400. The call takes the same way as the transparent proxy (this replica calls its own proxy route).
 */
@Path("/api/v1/r/invoke/{slug}")
public class InvokeResource {
    static final int MAX_BODY = 10 * 1024 * 1024;
    static final Set<String> NOT_SENT = Set.of("host", "content-length", "connection", "transfer-encoding", "upgrade", "authorization",
            PrincipalTokens.HEADER.toLowerCase(Locale.ROOT));

    private final CurrentPrincipal principal;
    private final HttpClient client;

    public InvokeResource(CurrentPrincipal principal, Vertx vertx) {
        this.principal = principal;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000));
    }

    public record InvokeRequest(
            @NotNull(message = "is required: GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS")
            @Pattern(regexp = "GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS", message = "must be GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS")
            String method,
            @NotNull(message = "is required, e.g. /v1/models")
            @Size(max = 8192, message = "must be at most 8192 characters")
            @Pattern(regexp = "(?!.*://)/(?!/)[^\\s\\\\@?#]*(\\?[^\\s#]*)?", message = "must be a path on the service starting with a single /"
                    + " (query allowed); absolute URLs, //host and host-bearing input are refused")
            String path,
            @Size(max = 14_000_000, message = "must be at most 10 MB once decoded")
            @Pattern(regexp = "[A-Za-z0-9+/=\\r\\n]*", message = "must be base64") String bodyBase64,
            @Size(max = 50, message = "must have at most 50 headers") Map<String, String> headers) {
    }

    public record InvokeResponse(int statusCode, Map<String, String> headers, String bodyBase64) {
    }

    @POST
    @RolesAllowed(Roles.MEMBER)
    public Uni<InvokeResponse> invoke(@PathParam("slug") String slug,
                                      @NotNull(message = "send {method, path, body_base64, headers} as a JSON object") @Valid InvokeRequest body,
                                      @Context HttpServerRequest incoming) {
        byte[] payload;
        try {
            payload = body.bodyBase64() == null ? new byte[0] : Base64.getMimeDecoder().decode(body.bodyBase64());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("body_base64 is not valid base64", List.of(new FieldError("body_base64", "must be base64")));
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (body.headers() != null) {
            body.headers().forEach((k, v) -> {
                if (k != null && v != null && !NOT_SENT.contains(k.toLowerCase(Locale.ROOT))) {
                    headers.set(k, v);
                }
            });
        }
        headers.set(PrincipalTokens.HEADER, principal.token());
        RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(incoming.localAddress().port())
                .setMethod(HttpMethod.valueOf(body.method())).setURI(ContainerCalls.PREFIX + slug + body.path()).setHeaders(headers)
                .setIdleTimeout(120_000);
        return Uni.createFrom().completionStage(() -> client.request(options)
                .compose(request -> request.send(Buffer.buffer(payload)))
                .compose(response -> {
                    if (response.getHeader(ContainerCalls.OWN_ERROR) != null) {
                        return response.body().map(b -> {
                            throw ownError(response.statusCode(), b);
                        });
                    }
                    String length = response.getHeader("Content-Length");
                    if (length != null && Long.parseLong(length) > MAX_BODY) {
                        response.request().reset();
                        throw tooLarge(slug);
                    }
                    Buffer answer = Buffer.buffer();
                    response.handler(chunk -> {
                        if (answer.length() + chunk.length() > MAX_BODY) {
                            response.request().reset();
                        } else {
                            answer.appendBuffer(chunk);
                        }
                    });
                    return response.end().map(v -> {
                        if (answer.length() >= MAX_BODY) {
                            throw tooLarge(slug);
                        }
                        Map<String, String> out = new LinkedHashMap<>();
                        for (String name : response.headers().names()) {
                            out.put(name.toLowerCase(Locale.ROOT), String.join(", ", response.headers().getAll(name)));
                        }
                        return new InvokeResponse(response.statusCode(), out, Base64.getEncoder().encodeToString(answer.getBytes()));
                    });
                }).toCompletionStage())
                .onFailure(e -> !(e instanceof ApiException))
                .transform(e -> new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE, "container service " + slug + " did not answer: " + e.getMessage()));
    }

    /** The proxy's own refusal (no such service, no healthy replica, a role too low) is this call's answer. */
    private static ApiException ownError(int status, Buffer body) {
        String message;
        try {
            message = io.cyberun.contracts.json.CyberunJson.mapper().readTree(body.getBytes()).path("error_message").asText("the call failed");
        } catch (Exception e) {
            message = "the call failed";
        }
        ErrorCode code = status == 404 ? ErrorCode.NOT_FOUND : status == 403 ? ErrorCode.FORBIDDEN : ErrorCode.UPSTREAM_UNAVAILABLE;
        return new ApiException(code, message);
    }

    private static ApiException tooLarge(String slug) {
        return new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE, "the answer is larger than " + MAX_BODY / (1024 * 1024)
                + " MB; call the service through /api/v1/r/containers/" + slug + "/ instead");
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
