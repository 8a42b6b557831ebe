package io.cyberun.file;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.PresignedPut;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "file"), @ResourceArg(name = "storage", value = "true")})
class InternalFileResourceTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    final HttpClient http = HttpClient.newHttpClient();
    final UUID team = UUID.randomUUID();
    final UUID task = UUID.randomUUID();

    String agent(UUID team) {
        return CTX.token(new Principal("gpu-1", team, null, CredentialKind.AGENT, UUID.randomUUID()));
    }

    JsonPath presign(String name, long size, String type) {
        return given().header(PrincipalTokens.HEADER, agent(team)).contentType(ContentType.JSON)
                .body(Map.of("files", java.util.List.of(Map.of("name", name, "size", size, "content_type", type))))
                .post("/internal/v1/tasks/" + task + "/outputs/uploads").then().statusCode(200).extract().jsonPath();
    }

    int put(JsonPath target, byte[] body) throws Exception {
        return PresignedPut.send(target.getString("targets[0].url"), target.getMap("targets[0].headers"), body).statusCode();
    }

    @Test
    void anAgentUploadsAnOutputWithThePresignedPutAndAFreshLinkServesIt() throws Exception {
        byte[] bytes = "hello outputs".getBytes(StandardCharsets.UTF_8);
        JsonPath target = presign("images/a.txt", bytes.length, "text/plain");
        String key = target.getString("targets[0].storage_key");
        assertThat(key).isEqualTo("teams/" + team + "/tasks/" + task + "/outputs/images/a.txt");
        assertThat(target.getMap("targets[0].headers")).containsEntry("Content-Length", Integer.toString(bytes.length))
                .containsEntry("Content-Type", "text/plain");
        assertThat(put(target, bytes)).isEqualTo(200);

        String url = given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.VIEWER)).contentType(ContentType.JSON)
                .body(Map.of("storage_keys", java.util.List.of(key))).post("/internal/v1/downloads")
                .then().statusCode(200).body("links[0].storage_key", equalTo(key)).extract().path("links[0].url");
        HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(bytes);
    }

    @Test
    void thePutMustCarryTheDeclaredLengthAndType() throws Exception {
        JsonPath target = presign("b.bin", 10, "application/octet-stream");
        assertThat(put(target, new byte[11])).isEqualTo(403);
        HttpRequest noType = HttpRequest.newBuilder(URI.create(target.getString("targets[0].url")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[10])).build();
        assertThat(http.send(noType, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
    }

    @Test
    void anotherTeamsObjectsReadAsNotFound() {
        String key = "teams/" + team + "/tasks/" + task + "/outputs/a.txt";
        given().header(PrincipalTokens.HEADER, CTX.userToken(UUID.randomUUID(), Role.OWNER)).contentType(ContentType.JSON)
                .body(Map.of("storage_keys", java.util.List.of(key))).post("/internal/v1/downloads").then().statusCode(404);
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.OWNER)).contentType(ContentType.JSON)
                .body(Map.of("storage_keys", java.util.List.of("teams/" + team + "/../other/x"))).post("/internal/v1/downloads").then().statusCode(404);
    }

    @Test
    void onlyAgentsGetUploadUrlsAndNamesAreChecked() {
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.OWNER)).contentType(ContentType.JSON)
                .body("{\"files\":[{\"name\":\"a\",\"size\":1}]}").post("/internal/v1/tasks/" + task + "/outputs/uploads")
                .then().statusCode(403);
        given().header(PrincipalTokens.HEADER, agent(team)).contentType(ContentType.JSON)
                .body("{\"files\":[{\"name\":\"../x\",\"size\":1},{\"name\":\"/etc/passwd\",\"size\":-1},{\"name\":\"ok\",\"size\":1,\"content_type\":\"not a type\"}]}")
                .post("/internal/v1/tasks/" + task + "/outputs/uploads").then().statusCode(400)
                .body("details.field", hasItems("files[0].name", "files[1].name", "files[1].size", "files[2].content_type"));
        given().header(PrincipalTokens.HEADER, agent(team)).contentType(ContentType.JSON).body("{\"files\":[")
                .post("/internal/v1/tasks/" + task + "/outputs/uploads").then().statusCode(400).body("error_code", equalTo("malformed_json"));
        given().contentType(ContentType.JSON).body("{}").post("/internal/v1/downloads").then().statusCode(401)
                .body("error_message", startsWith("internal services accept only requests the gateway signed"));
    }

    @TestHTTPResource(value = "/health/ready", management = true) // under the management root, /q
    URL readiness;
    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void readinessChecksTheBucketsAndTheDatabaseOnTheManagementPort() {
        given().get(readiness).then().statusCode(200)
                .body("checks.name", hasItems("Object storage buckets", "Reactive PostgreSQL connections health check"));
        given().get(metrics).then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(404);
    }
}
