package io.cyberun.mcp.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import io.cyberun.mcp.config.McpConfig;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** mcp-service is only useful while the gateway it calls answers. */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements AsyncHealthCheck {
    private final HttpClient client;
    private final String healthUrl;

    public GatewayReadiness(Vertx vertx, McpConfig config) {
        this.client = vertx.createHttpClient();
        this.healthUrl = config.gatewayHealthUrl();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(healthUrl).setTimeout(3000);
        return Uni.createFrom().completionStage(client.request(options).compose(r -> r.send()).map(r -> r.statusCode()).toCompletionStage())
                .map(status -> HealthCheckResponse.named("Gateway").status(status == 200).withData("url", healthUrl).build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("Gateway").down().withData("url", healthUrl)
                        .withData("error", String.valueOf(e.getMessage())).build());
    }
}
