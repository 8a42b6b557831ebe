package io.cyberun.mcp;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(CyberunTestResource.class)
class McpEndpointTests {
    static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},
             "clientInfo":{"name":"test","version":"1"}}}""";

    @Test
    void theEndpointNamesTheServerAsTheProductDoes() {
        String token = CyberunTestContext.get().token(new Principal("key", UUID.randomUUID(), Role.MEMBER, CredentialKind.INTEGRATION, UUID.randomUUID()));
        given().header(PrincipalTokens.HEADER, token).header("Accept", "application/json, text/event-stream")
                .contentType("application/json").body(INITIALIZE).post("/api/v1/mcp")
                .then().statusCode(200)
                .header("Mcp-Session-Id", org.hamcrest.Matchers.notNullValue())
                .body(containsString("\"name\":\"cyberun-cloud\""))
                .body(containsString("\"title\":\"Cyberun Cloud\""));
    }

    @Test
    void withoutTheGatewaysPrincipalTheEndpointRefuses() {
        given().header("Accept", "application/json, text/event-stream").contentType("application/json").body(INITIALIZE)
                .post("/api/v1/mcp").then().statusCode(401).body("error_code", equalTo("unauthenticated"));
    }
}
