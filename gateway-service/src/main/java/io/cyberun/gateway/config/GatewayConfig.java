package io.cyberun.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Settings of the public edge. */
@ConfigMapping(prefix = "cyberun.gateway")
public interface GatewayConfig {

    /** Base URLs of the internal services, by name: task-service, file-service, agent-hub, mcp-service. */
    Map<String, URI> services();

    /** Largest request body the gateway forwards, in bytes (413 above it): 2 MiB, room for large ComfyUI graphs. */
    @WithDefault("2097152")
    int maxRequestBody();

    /** How often an idle SSE stream gets a keep-alive comment. */
    @WithDefault("PT15S")
    Duration sseKeepAlive();

    /** How long a forwarded request may wait for the internal service's answer. */
    @WithDefault("PT60S")
    Duration upstreamTimeout();

    /**
     * The deployment's admin token for {@code POST /api/v1/admin/bootstrap} (env CYBERUN_ADMIN_TOKEN). Without it
     * the endpoint does not exist.
     */
    Optional<String> adminToken();
}
