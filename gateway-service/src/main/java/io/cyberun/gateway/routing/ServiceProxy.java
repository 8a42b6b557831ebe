package io.cyberun.gateway.routing;

import io.cyberun.common.http.StreamingForward;
import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Forwards a public request to the internal service that owns it: the body (bounded), the caller's principal as
 * a freshly signed token, and the answer streamed back as it comes (so SSE and MCP streams pass through).
 * The caller's credentials are not forwarded, except to mcp-service, whose tools call the API with them.
 */
@ApplicationScoped
public class ServiceProxy {
    private static final Logger LOG = Logger.getLogger(ServiceProxy.class);
    /**
     * Hop-by-hop headers (RFC 9110) and the caller's credentials stay at the edge; so does {@code Origin}, which the edge
     * checks where it matters ({@link McpOrigins}): an internal service answers the gateway, not a browser.
     */
    static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "authorization", "x-team-id", "origin",
            PrincipalTokens.HEADER.toLowerCase(Locale.ROOT));

    private final HttpClient client;
    private final GatewayConfig config;

    public ServiceProxy(Vertx vertx, GatewayConfig config) {
        this.config = config;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                        .setConnectTimeout(5000).setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(64));
    }

    public HttpClient client() {
        return client;
    }

    /** The base URL of an internal service. */
    public URI service(String name) {
        URI base = config.services().get(name);
        if (base == null) {
            throw new IllegalStateException("no URL configured for " + name + " (cyberun.gateway.services." + name + ")");
        }
        return base;
    }

    /** Reads the request body, refusing more than the configured limit with 413. The request must be paused. */
    public Uni<Buffer> readBody(HttpServerRequest request) {
        int limit = config.maxRequestBody();
        String length = request.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > limit) {
                    return Uni.createFrom().failure(tooLarge(limit));
                }
            } catch (NumberFormatException e) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.INVALID_REQUEST, "Content-Length is not a number"));
            }
        }
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > limit) {
                promise.tryFail(tooLarge(limit));
                request.pause();
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(promise::tryFail);
        request.endHandler(v -> promise.tryComplete(body));
        request.resume();
        return Uni.createFrom().completionStage(promise.future().toCompletionStage());
    }

    /**
     * Where a forwarded request goes: the owning service, the base URL of the instance that answers, headers to set
     * on the way in, and a change to the answer's headers on the way back (both may be empty).
     */
    public record Hop(String service, URI base, Map<String, String> setHeaders, Consumer<MultiMap> answerHeaders) {
    }

    /** Forwards the request to {@code service} and streams the answer back. */
    public void forward(RoutingContext ctx, String service, String principalToken, Buffer body) {
        forward(ctx, new Hop(service, service(service), Map.of(), null), principalToken, body, e -> unreachable(ctx, service));
    }

    /** Forwards the request along {@code hop}; {@code unreachable} decides what happens when the instance cannot be reached. */
    public void forward(RoutingContext ctx, Hop hop, String principalToken, Buffer body, Consumer<Throwable> unreachable) {
        HttpServerRequest in = ctx.request();
        boolean mcp = RouteTable.MCP_SERVICE.equals(hop.service());
        MultiMap headers = forwardedHeaders(in, principalToken, mcp);
        hop.setHeaders().forEach(headers::set);
        RequestOptions options = new RequestOptions()
                .setMethod(in.method())
                .setAbsoluteURI(hop.base().toString().replaceAll("/$", "") + in.uri())
                .setHeaders(headers);
        if (!mcp) {
            options.setIdleTimeout(config.upstreamTimeout().toMillis());
        }
        client.request(options)
                .compose(request -> request.send(body))
                .onSuccess(response -> relay(ctx, response, hop.answerHeaders()))
                .onFailure(e -> {
                    LOG.warnf("forwarding %s %s to %s at %s failed: %s", in.method(), in.path(), hop.service(), hop.base(), e.getMessage());
                    unreachable.accept(e);
                });
    }

    private static void unreachable(RoutingContext ctx, String service) {
        GatewayErrors.send(ctx, new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE, service + " is not reachable right now; try again shortly"));
    }

    private static MultiMap forwardedHeaders(HttpServerRequest in, String principalToken, boolean keepAuthorization) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        in.headers().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) || (keepAuthorization && name.equals("authorization"))) {
                headers.add(h.getKey(), h.getValue());
            }
        });
        headers.set(PrincipalTokens.HEADER, principalToken);
        String forwardedFor = in.remoteAddress() == null ? null : in.remoteAddress().hostAddress();
        if (forwardedFor != null) {
            headers.set("X-Forwarded-For", forwardedFor);
        }
        // The public origin the caller used (behind an ingress, the one it reported), for URLs a service hands out.
        String host = in.getHeader("X-Forwarded-Host") != null ? in.getHeader("X-Forwarded-Host") : in.authority() == null ? null : in.authority().toString();
        if (host != null) {
            headers.set("X-Forwarded-Host", host);
            headers.set("X-Forwarded-Proto", in.getHeader("X-Forwarded-Proto") != null ? in.getHeader("X-Forwarded-Proto") : in.scheme());
        }
        return headers;
    }

    private static void relay(RoutingContext ctx, HttpClientResponse response, Consumer<MultiMap> answerHeaders) {
        StreamingForward.relay(ctx.response(), response, answerHeaders);
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than " + limit + " bytes");
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
