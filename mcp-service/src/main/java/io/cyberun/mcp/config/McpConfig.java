package io.cyberun.mcp.config;

import io.smallrye.config.ConfigMapping;

/** Settings of mcp-service. */
@ConfigMapping(prefix = "cyberun.mcp")
public interface McpConfig {

    /** The public gateway the tools call, with the caller's own key (env GATEWAY_URL). */
    String gatewayUrl();

    /** The gateway's liveness endpoint on its management port, which readiness checks (env GATEWAY_HEALTH_URL). */
    String gatewayHealthUrl();
}
