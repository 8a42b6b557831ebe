package io.cyberun.gateway.routing;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.rest.Outages;
import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.gateway.security.RateLimiter;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

/** Writes the API's error body from the gateway's own (non-JAX-RS) handlers. */
public final class GatewayErrors {
    private static final Logger LOG = Logger.getLogger(GatewayErrors.class);

    private GatewayErrors() {
    }

    public static void send(RoutingContext ctx, Throwable failure) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ApiException api = failure instanceof ApiException e ? e : null;
        boolean outage = api == null && Outages.isOutage(failure);
        if (outage) {
            LOG.warnf("a request failed because the database is unavailable: %s", failure.getMessage());
            api = new ApiException(ErrorCode.STORE_UNAVAILABLE, Outages.body().errorMessage());
        }
        if (api == null) {
            LOG.error("unexpected failure at the gateway", failure);
            api = new ApiException(ErrorCode.INTERNAL, "internal error; the gateway logged the details");
        }
        ErrorBody body = api.body();
        String json;
        try {
            json = CyberunJson.mapper().writeValueAsString(body);
        } catch (Exception e) {
            json = "{\"error_message\":\"internal error\",\"error_code\":\"internal\"}";
        }
        var response = ctx.response().setStatusCode(api.code().httpStatus()).putHeader("Content-Type", "application/json");
        if (api.code() == ErrorCode.UNAUTHENTICATED) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"cyberun\"");
        }
        if (failure instanceof RateLimiter.RateLimited limited) {
            response.putHeader("Retry-After", Long.toString(limited.retryAfterSeconds()));
        } else if (api.code().httpStatus() == 503) {
            response.putHeader("Retry-After", Integer.toString(Outages.RETRY_AFTER_SECONDS));
        }
        response.end(json);
    }
}
