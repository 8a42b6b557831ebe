package io.cyberun.file;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.Role;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.PresignedPut;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Inputs for file parameters: presigned against the real S3Proxy, uploaded with an independent client. */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "file"), @ResourceArg(name = "storage", value = "true")})
class InputPresignTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    final UUID team = UUID.randomUUID();

    JsonPath presign(String name, long size, String type) {
        return given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.MEMBER)).contentType(ContentType.JSON)
                .body(Map.of("file_name", name, "file_size", size, "content_type", type)).post("/internal/v1/inputs/presign")
                .then().statusCode(200).extract().jsonPath();
    }

    int put(JsonPath presigned, byte[] body) throws Exception {
        return PresignedPut.send(presigned.getString("upload_url"), presigned.getMap("upload_headers"), body).statusCode();
    }

    @Test
    void anInputIsPresignedUnderTheTeamUploadedOnceAndDescribed() throws Exception {
        JsonPath p = presign("my cat.png", 5, "image/png");
        String key = p.getString("file_key");
        assertThat(key).startsWith("teams/" + team + "/inputs/").endsWith("/my_cat.png");
        assertThat(p.getMap("upload_headers", String.class, String.class))
                .containsEntry("Content-Length", "5").containsEntry("Content-Type", "image/png").containsEntry("If-None-Match", "*");
        JsonPath never = presign("never.png", 3, "image/png");

        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.MEMBER)).contentType(ContentType.JSON)
                .body(Map.of("storage_keys", List.of(key, never.getString("file_key"), "teams/" + team + "/inputs/x/unknown.png")))
                .post("/internal/v1/inputs/describe").then().statusCode(200)
                .body("inputs", hasSize(2)).body("inputs.find { it.storage_key == '" + key + "' }.uploaded", equalTo(false));

        assertThat(put(p, new byte[] {1, 2, 3, 4, 5})).isEqualTo(200);
        assertThat(put(p, new byte[] {9, 9, 9, 9, 9})).as("a second upload to the same key").isEqualTo(412);
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.VIEWER)).contentType(ContentType.JSON)
                .body(Map.of("storage_keys", List.of(key))).post("/internal/v1/inputs/describe").then().statusCode(200)
                .body("inputs[0].uploaded", equalTo(true)).body("inputs[0].content_type", equalTo("image/png"))
                .body("inputs[0].file_name", equalTo("my cat.png")).body("inputs[0].file_size", equalTo(5));
        given().header(PrincipalTokens.HEADER, CTX.userToken(UUID.randomUUID(), Role.OWNER)).contentType(ContentType.JSON)
                .body(Map.of("storage_keys", List.of(key))).post("/internal/v1/inputs/describe").then().statusCode(200).body("inputs", hasSize(0));
    }

    @Test
    void theStoreRefusesAnUploadThatDoesNotSendTheSignedHeadersOrLength() throws Exception {
        JsonPath p = presign("exact.bin", 4, "application/octet-stream");
        assertThat(put(p, new byte[] {1, 2, 3})).as("a shorter body than the signed Content-Length").isNotEqualTo(200);
        String url = p.getString("upload_url");
        assertThat(PresignedPut.send(url, Map.of("Content-Type", "application/octet-stream"), new byte[4]).statusCode())
                .as("If-None-Match left out").isEqualTo(403);
        assertThat(PresignedPut.send(url, Map.of("Content-Type", "text/plain", "If-None-Match", "*"), new byte[4]).statusCode())
                .as("another Content-Type").isEqualTo(403);
        assertThat(put(p, new byte[] {1, 2, 3, 4})).isEqualTo(200);
    }

    @Test
    void eachBadFieldOfAPresignIsNamedWithWhatItMustBeAndNothingIsWritten() {
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.MEMBER)).contentType(ContentType.JSON)
                .body(Map.of("file_name", "a/b.png", "file_size", -1, "content_type", "image png")).post("/internal/v1/inputs/presign")
                .then().statusCode(400).body("error_code", equalTo("validation_failed"))
                .body("details.find { it.field == 'file_name' }.message", equalTo("must be 1-255 characters without / or \\"))
                .body("details.find { it.field == 'file_size' }.message", equalTo("must be the file's exact size in bytes (1 or more)"))
                .body("details.find { it.field == 'content_type' }.message", equalTo("must be a media type such as image/png"));
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.MEMBER)).contentType(ContentType.JSON)
                .body(Map.of("file_name", "big.bin", "content_type", "application/octet-stream", "file_size", 600L * 1024 * 1024))
                .post("/internal/v1/inputs/presign").then().statusCode(400)
                .body("details[0].message", equalTo("is larger than the 524288000 byte limit of a single upload"));
    }

    @Test
    void badPresignRequestsAreRefusedBeforeAnyUrlIsIssued() {
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.MEMBER)).contentType(ContentType.JSON)
                .body(Map.of("file_name", "../x", "file_size", 0, "content_type", "nope")).post("/internal/v1/inputs/presign")
                .then().statusCode(400).body("details.field", hasItems("file_name", "file_size", "content_type"));
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.MEMBER)).contentType(ContentType.JSON)
                .body(Map.of("file_name", "huge.bin", "file_size", 600L * 1024 * 1024, "content_type", "application/octet-stream"))
                .post("/internal/v1/inputs/presign").then().statusCode(400).body("details[0].message", startsWith("is larger than"));
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.VIEWER)).contentType(ContentType.JSON)
                .body(Map.of("file_name", "a.png", "file_size", 1, "content_type", "image/png")).post("/internal/v1/inputs/presign")
                .then().statusCode(403);
    }
}
