package io.cyberun.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.gateway.config.GatewayConfig;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which web origins may use MCP: the deployment's own, loopback ones and the configured ones; nothing else. */
class McpOriginsTests {

    static McpOrigins origins(String publicUrl, List<String> extra) {
        GatewayConfig config = (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(), new Class<?>[]{GatewayConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "publicUrl" -> publicUrl;
                    case "mcpAllowedOrigins" -> Optional.ofNullable(extra);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new McpOrigins(config);
    }

    @Test
    void theDeploymentsOwnOriginLoopbackAndListedOriginsAreAllowed() {
        McpOrigins o = origins("https://cyberun.example.com/some/path", List.of("https://Tools.Example.org", " ", "https://ide.example.net:8443/"));
        assertThat(o.allows("https://cyberun.example.com")).isTrue();
        assertThat(o.allows("https://tools.example.org")).isTrue();
        assertThat(o.allows("https://ide.example.net:8443")).isTrue();
        assertThat(o.allows("http://localhost:6274")).isTrue();
        assertThat(o.allows("https://127.0.0.1")).isTrue();
        assertThat(o.allows("http://[::1]:3000")).isTrue();
    }

    @Test
    void everyOtherOriginIsRefused() {
        McpOrigins o = origins("https://cyberun.example.com", null);
        for (String origin : List.of("http://cyberun.example.com", "https://cyberun.example.com:444", "https://evil.example",
                "http://localhost.evil.example", "http://127.0.0.1.nip.io", "ftp://localhost", "null", "", "http://user@localhost",
                "https://tools.example.org")) {
            assertThat(o.allows(origin)).as(origin).isFalse();
        }
    }
}
