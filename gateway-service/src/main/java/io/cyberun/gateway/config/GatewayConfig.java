package io.cyberun.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Settings of the public edge. */
@ConfigMapping(prefix = "cyberun.gateway")
public interface GatewayConfig {

    /** Base URLs of the internal services, by name: task-service, file-service, agent-hub, mcp-service. */
    Map<String, URI> services();

    /**
     * The mcp-service replicas, each by its own address (in Kubernetes: the pods of a StatefulSet behind a headless
     * Service). MCP sessions live in one replica's memory, so the gateway routes each session to its replica. Empty:
     * the one {@code services.mcp-service} URL.
     */
    Optional<List<URI>> mcpReplicas();

    /** The deployment's public base URL, as browsers reach it (its origin may use MCP from a browser). */
    @WithDefault("http://127.0.0.1:8080")
    String publicUrl();

    /**
     * More web origins (scheme://host[:port]) whose pages may call MCP from a browser, besides the deployment's own and
     * loopback origins (env CYBERUN_MCP_ALLOWED_ORIGINS, comma-separated). Any other origin is refused with 403.
     */
    Optional<List<String>> mcpAllowedOrigins();

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

    /**
     * The page where a user confirms a device pairing (the dashboard's); a pairing's {@code verification_uri} is this
     * with {@code ?user_code=...}.
     */
    @WithDefault("http://127.0.0.1:8080/desktop/pair")
    String pairingVerificationUri();

    /** Per-caller request limits (token buckets in Redis, shared by every replica). */
    RateLimits rateLimits();

    /** How the dashboard's pages sign people in. */
    Dashboard dashboard();

    interface Dashboard {
        /**
         * The OIDC issuer as browsers reach it (env CYBERUN_DASHBOARD_ISSUER; by default the one the gateway checks
         * tokens against).
         */
        String issuer();

        /** The public client the pages sign in with: authorization code with PKCE, no secret (env CYBERUN_DASHBOARD_CLIENT_ID). */
        @WithDefault("cyberun-dashboard")
        String clientId();

        /**
         * The S3 endpoint as browsers reach it, where the pages upload files through presigned URLs (env
         * CYBERUN_DASHBOARD_STORAGE_URL; a CSP source such as {@code https://*.amazonaws.com} is accepted too).
         */
        String storageUrl();
    }

    interface RateLimits {
        /** Off only for benchmarks that measure raw throughput. */
        @WithDefault("true")
        boolean enabled();

        /** Sustained requests per second per credential (or per user and team for user tokens). */
        @WithDefault("50")
        double requestsPerSecond();

        /** Requests a caller may make in a burst above the sustained rate. */
        @WithDefault("200")
        int requestBurst();

        /** Sustained run requests (POST .../run, .../rerun) per second per credential: each one queues GPU work. */
        @WithDefault("20")
        double runsPerSecond();

        @WithDefault("100")
        int runBurst();

        /** Anonymous requests (device pairing start and poll) per second per client address. */
        @WithDefault("5")
        double anonymousPerSecond();

        @WithDefault("60")
        int anonymousBurst();
    }
}
