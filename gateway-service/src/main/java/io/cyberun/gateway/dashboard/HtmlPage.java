package io.cyberun.gateway.dashboard;

import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** A page the gateway serves as it is: read once from its resources, sent with its security headers. */
public record HtmlPage(String html, String contentSecurityPolicy, String cacheControl) {

    /** The page at this resource path; fails at start when a page is missing from the build. */
    public static HtmlPage load(String resource, String contentSecurityPolicy, String cacheControl) {
        try (InputStream in = HtmlPage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the gateway's resources");
            }
            return new HtmlPage(new String(in.readAllBytes(), StandardCharsets.UTF_8), contentSecurityPolicy, cacheControl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void send(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", cacheControl)
                .putHeader("Content-Security-Policy", contentSecurityPolicy)
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(html);
    }
}
