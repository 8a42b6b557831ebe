package io.cyberun.common.http;

import io.vertx.core.http.HttpServerRequest;

/** The public origin a caller used (the gateway passes it on), so URLs a service hands out work where they are shared. */
public final class PublicOrigin {
    private PublicOrigin() {
    }

    /** {@code <proto>://<host>}, or an empty string when the request did not come through the gateway. */
    public static String of(HttpServerRequest request) {
        String host = request.getHeader("X-Forwarded-Host");
        String proto = request.getHeader("X-Forwarded-Proto");
        return host == null ? "" : (proto == null ? "http" : proto) + "://" + host;
    }
}
