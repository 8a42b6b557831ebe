package io.cyberun.gateway.dashboard;

import io.cyberun.gateway.config.GatewayConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;

/**
 * The dashboard's pages. Each is a static HTML document whose scripts ({@code /dashboard/*.js}, served from
 * {@code META-INF/resources}) sign the user in at the OIDC issuer with the public client (authorization code + PKCE)
 * and call the API with the user's token; the gateway only serves them, with a Content-Security-Policy that lets
 * them talk to itself and the issuer and nothing else.
 * <ul>
 *   <li>{@code GET /}: the dashboard (tasks, run dialogs, workflows, access, members), one page with routes in its
 *       fragment ({@code /#/tasks}).</li>
 *   <li>{@code GET /desktop/pair}: approve a device pairing (the {@code verification_uri} of
 *       {@code POST /api/v1/desktop/pair/start}).</li>
 *   <li>{@code GET /dashboard/config.json}: the issuer and client the pages sign in with.</li>
 * </ul>
 */
@ApplicationScoped
public class DashboardPages {
    private final HtmlPage pairPage;
    private final HtmlPage appPage;
    private final String config;

    public DashboardPages(GatewayConfig gateway) {
        GatewayConfig.Dashboard dashboard = gateway.dashboard();
        this.config = new JsonObject().put("issuer", dashboard.issuer()).put("client_id", dashboard.clientId()).encode();
        String csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: " + origin(dashboard.storageUrl()) + "; connect-src 'self' "
                + origin(dashboard.issuer()) + " " + origin(dashboard.storageUrl()) + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        this.pairPage = HtmlPage.load("/dashboard/pair.html", csp, "no-cache");
        this.appPage = HtmlPage.load("/dashboard/index.html", csp, "no-cache");
    }

    /** The origin of a URL, as a CSP source; a source that is already a pattern ({@code https://*.amazonaws.com}) as it is. */
    static String origin(String url) {
        if (url.contains("*")) {
            return url.replaceAll("/+$", "");
        }
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    void routes(@Observes Router router) {
        router.get("/").handler(appPage::send);
        router.get("/desktop/pair").handler(pairPage::send);
        router.get("/dashboard/config.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-cache").end(config));
    }
}
