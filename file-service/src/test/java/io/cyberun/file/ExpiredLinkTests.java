package io.cyberun.file;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.Role;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.PresignedPut;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Download links stop working when they expire (here after 2 s instead of the default hour), checked against S3Proxy. */
@QuarkusTest
@TestProfile(ExpiredLinkTests.ShortLinks.class)
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "file"), @ResourceArg(name = "storage", value = "true")})
class ExpiredLinkTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();

    public static class ShortLinks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cyberun.storage.download-url-lifetime", "PT2S");
        }
    }

    @Test
    void aDownloadLinkWorksUntilItExpiresAndIsRefusedAfter() throws Exception {
        UUID team = UUID.randomUUID();
        HttpClient http = HttpClient.newHttpClient();
        JsonPath p = given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.MEMBER)).contentType(ContentType.JSON)
                .body(Map.of("file_name", "a.txt", "file_size", 2, "content_type", "text/plain")).post("/internal/v1/inputs/presign")
                .then().statusCode(200).extract().jsonPath();
        assertThat(PresignedPut.send(p.getString("upload_url"), p.getMap("upload_headers"), new byte[] {4, 2}).statusCode()).isEqualTo(200);
        String url = given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.VIEWER)).contentType(ContentType.JSON)
                .body(Map.of("storage_keys", List.of(p.getString("file_key")))).post("/internal/v1/downloads").then().statusCode(200)
                .extract().path("links[0].url");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray()).body())
                .containsExactly(4, 2);
        // The test profile signs links for 2 s: refused once that has passed.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() ->
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 403);
    }
}
