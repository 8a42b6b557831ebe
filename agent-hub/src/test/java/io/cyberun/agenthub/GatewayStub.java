package io.cyberun.agenthub;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.StubServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

/**
 * Stands in for the gateway's credential introspection (our own service, not infrastructure): it checks the hub's
 * signed service token like the gateway does and knows two agent keys of two teams.
 */
public class GatewayStub implements QuarkusTestResourceLifecycleManager {
    public static final String KEY = "ak-hubtest0000000000000000000000000000000000";
    public static final String OTHER_TEAM_KEY = "ak-hubtest1111111111111111111111111111111111";
    public static final UUID TEAM = UUID.randomUUID();
    public static final UUID OTHER_TEAM = UUID.randomUUID();
    public static final UUID CREDENTIAL = UUID.randomUUID();
    private StubServer server;

    @Override
    public Map<String, String> start() {
        PrincipalTokens tokens = PrincipalTokens.verifying(CyberunTestContext.get().publicKey(), Clock.systemUTC());
        server = StubServer.start(exchange -> {
            Principal caller;
            try {
                caller = tokens.verify(exchange.getRequestHeaders().getFirst(PrincipalTokens.HEADER));
            } catch (RuntimeException e) {
                return new StubServer.Reply(401, "{}");
            }
            if (caller.kind() != CredentialKind.SERVICE) {
                return new StubServer.Reply(403, "{}");
            }
            String secret = CyberunJson.mapper().readTree(exchange.getRequestBody()).path("secret").asText();
            if (!KEY.equals(secret) && !OTHER_TEAM_KEY.equals(secret)) {
                return new StubServer.Reply(404, "{\"error_message\":\"credential not found\"}");
            }
            return new StubServer.Reply(200, "{\"credential_id\":\"" + CREDENTIAL + "\",\"kind\":\"agent\",\"team_id\":\""
                    + (KEY.equals(secret) ? TEAM : OTHER_TEAM) + "\"}");
        });
        return Map.of("quarkus.rest-client.gateway.url", server.url());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
