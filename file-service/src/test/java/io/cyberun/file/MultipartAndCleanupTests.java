package io.cyberun.file;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import io.agroal.api.AgroalDataSource;
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
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Multipart uploads against the real S3Proxy (parts PUT with the JDK's HTTP client), and the storage cleanup. */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "file"), @ResourceArg(name = "storage", value = "true")})
class MultipartAndCleanupTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    final HttpClient http = HttpClient.newHttpClient();
    final UUID team = UUID.randomUUID();
    @Inject
    AgroalDataSource db;

    RequestSpecification as(UUID teamId, Role role) {
        return given().header(PrincipalTokens.HEADER, CTX.userToken(teamId, role)).contentType(ContentType.JSON);
    }

    HttpResponse<String> put(String url, Map<String, String> headers, byte[] body) throws Exception {
        return PresignedPut.send(url, headers, body);
    }

    @Test
    void aFiftyMegabyteFileGoesUpInPartsIsCheckedAndBecomesAUsableInput() throws Exception {
        byte[] file = new byte[50 * 1024 * 1024];
        new Random(7).nextBytes(file);
        JsonPath init = as(team, Role.MEMBER).body(Map.of("file_name", "scan.bin", "file_size", file.length, "content_type",
                "application/octet-stream", "part_size", 8 << 20)).post("/api/v1/uploads/multipart/initiate").then().statusCode(200).extract().jsonPath();
        String uploadId = init.getString("upload_id");
        long partSize = init.getLong("part_size");
        int partCount = init.getInt("part_count");
        assertThat(partSize).isEqualTo(8L << 20);
        assertThat(partCount).isEqualTo(7);

        // Another team cannot touch it.
        as(UUID.randomUUID(), Role.OWNER).body(Map.of()).post("/api/v1/uploads/multipart/" + uploadId + "/parts").then().statusCode(404);
        as(UUID.randomUUID(), Role.OWNER).delete("/api/v1/uploads/multipart/" + uploadId).then().statusCode(404);

        JsonPath parts = as(team, Role.MEMBER).body(Map.of()).post("/api/v1/uploads/multipart/" + uploadId + "/parts")
                .then().statusCode(200).body("parts", hasSize(partCount)).extract().jsonPath();
        // A part of the wrong length is refused by the store (the signature binds it).
        byte[] first = Arrays.copyOfRange(file, 0, (int) partSize);
        assertThat(put(parts.getString("parts[0].upload_url"), parts.getMap("parts[0].upload_headers"), Arrays.copyOf(first, 100)).statusCode())
                .isNotEqualTo(200);
        // Completing before every part arrived names the missing ones and assembles nothing.
        as(team, Role.MEMBER).body(Map.of("parts", List.of())).post("/api/v1/uploads/multipart/" + uploadId + "/complete")
                .then().statusCode(400).body("details.field", hasItems("parts[1]", "parts[7]"));

        List<Map<String, Object>> done = new ArrayList<>();
        for (int i = 0; i < partCount; i++) {
            int from = (int) (i * partSize);
            byte[] chunk = Arrays.copyOfRange(file, from, (int) Math.min(file.length, from + partSize));
            assertThat(parts.getLong("parts[" + i + "].size")).isEqualTo(chunk.length);
            HttpResponse<String> r = put(parts.getString("parts[" + i + "].upload_url"), parts.getMap("parts[" + i + "].upload_headers"), chunk);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            done.add(Map.of("part_number", i + 1, "etag", r.headers().firstValue("ETag").orElseThrow()));
        }
        List<Map<String, Object>> wrongTag = new ArrayList<>(done);
        wrongTag.set(0, Map.of("part_number", 1, "etag", "\"0000\""));
        as(team, Role.MEMBER).body(Map.of("parts", wrongTag)).post("/api/v1/uploads/multipart/" + uploadId + "/complete")
                .then().statusCode(400).body("details[0].field", equalTo("parts[1]"));
        String key = as(team, Role.MEMBER).body(Map.of("parts", done)).post("/api/v1/uploads/multipart/" + uploadId + "/complete")
                .then().statusCode(200).body("file_size", equalTo(file.length)).extract().path("storage_key");
        as(team, Role.MEMBER).body(Map.of("parts", done)).post("/api/v1/uploads/multipart/" + uploadId + "/complete").then().statusCode(404);

        as(team, Role.VIEWER).body(Map.of("storage_keys", List.of(key))).post("/internal/v1/inputs/describe").then().statusCode(200)
                .body("inputs[0].uploaded", equalTo(true)).body("inputs[0].file_size", equalTo(file.length));
        String url = as(team, Role.VIEWER).body(Map.of("storage_keys", List.of(key))).post("/internal/v1/downloads").then().statusCode(200)
                .extract().path("links[0].url");
        byte[] back = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(MessageDigest.getInstance("SHA-256").digest(back)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(file));
    }

    @Test
    void anAbortedUploadIsGoneAndBadRequestsNameTheirFields() {
        String uploadId = as(team, Role.MEMBER).body(Map.of("file_name", "x.bin", "file_size", 20_000_000, "content_type", "application/octet-stream"))
                .post("/api/v1/uploads/multipart/initiate").then().statusCode(200).extract().path("upload_id");
        as(team, Role.MEMBER).body(Map.of("part_numbers", List.of(0, 4))).post("/api/v1/uploads/multipart/" + uploadId + "/parts")
                .then().statusCode(400).body("details[0].field", equalTo("part_numbers"));
        as(team, Role.MEMBER).delete("/api/v1/uploads/multipart/" + uploadId).then().statusCode(204);
        as(team, Role.MEMBER).body(Map.of()).post("/api/v1/uploads/multipart/" + uploadId + "/parts").then().statusCode(404);

        as(team, Role.MEMBER).body(Map.of("file_name", "../x", "file_size", 600L * 1024 * 1024, "kind", "other"))
                .post("/api/v1/uploads/multipart/initiate").then().statusCode(400).body("details.field", hasItems("file_name", "kind"));
        as(team, Role.MEMBER).body(Map.of("file_name", "big.bin", "file_size", 6L * 1024 * 1024 * 1024))
                .post("/api/v1/uploads/multipart/initiate").then().statusCode(400).body("details[0].field", equalTo("file_size"));
        // The documented form: a key a presign endpoint issued, and the size; the default part is 100 MiB.
        String key = as(team, Role.MEMBER).body(Map.of("file_name", "big.bin", "file_size", 3, "content_type", "application/octet-stream"))
                .post("/internal/v1/inputs/presign").then().statusCode(200).extract().path("file_key");
        as(team, Role.MEMBER).body(Map.of("storage_key", key, "file_size", 700L * 1024 * 1024)).post("/api/v1/uploads/multipart/initiate")
                .then().statusCode(200).body("storage_key", equalTo(key)).body("part_size", equalTo(104857600)).body("part_count", equalTo(7));
        as(team, Role.MEMBER).body(Map.of("storage_key", "teams/" + UUID.randomUUID() + "/inputs/x/y.bin", "file_size", 10))
                .post("/api/v1/uploads/multipart/initiate").then().statusCode(400).body("details[0].field", equalTo("storage_key"));
        as(team, Role.MEMBER).body(Map.of("file_name", "model.safetensors", "file_size", 1, "kind", "model"))
                .post("/api/v1/uploads/multipart/initiate").then().statusCode(403);
        as(team, Role.VIEWER).body(Map.of("file_name", "x.bin", "file_size", 1)).post("/api/v1/uploads/multipart/initiate").then().statusCode(403);
    }

    @Test
    void theCleanupRemovesExpiredInputsAndAbandonedUploads() throws Exception {
        JsonPath p = as(team, Role.MEMBER).body(Map.of("file_name", "old.txt", "file_size", 3, "content_type", "text/plain"))
                .post("/internal/v1/inputs/presign").then().statusCode(200).extract().jsonPath();
        String key = p.getString("file_key");
        assertThat(put(p.getString("upload_url"), p.getMap("upload_headers"), new byte[] {1, 2, 3}).statusCode()).isEqualTo(200);
        JsonPath fresh = as(team, Role.MEMBER).body(Map.of("file_name", "new.txt", "file_size", 3, "content_type", "text/plain"))
                .post("/internal/v1/inputs/presign").then().statusCode(200).extract().jsonPath();
        String abandoned = as(team, Role.MEMBER).body(Map.of("file_name", "x.bin", "file_size", 20_000_000))
                .post("/api/v1/uploads/multipart/initiate").then().statusCode(200).extract().path("upload_id");
        // Time passes: the input and the upload are past their lifetime.
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("update input_upload set expires_at = ? where storage_key = ?")) {
                s.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(60)));
                s.setString(2, key);
                assertThat(s.executeUpdate()).isEqualTo(1);
            }
            try (PreparedStatement s = c.prepareStatement("update multipart_upload set expires_at = ? where upload_id = ?")) {
                s.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(60)));
                s.setString(2, abandoned);
                assertThat(s.executeUpdate()).isEqualTo(1);
            }
        }
        given().header(PrincipalTokens.HEADER, CTX.userToken(team, Role.OWNER)).post("/internal/v1/cleanup").then().statusCode(403);
        given().header(PrincipalTokens.HEADER, CTX.serviceToken("operator")).post("/internal/v1/cleanup").then().statusCode(200);

        as(team, Role.VIEWER).body(Map.of("storage_keys", List.of(key, fresh.getString("file_key")))).post("/internal/v1/inputs/describe")
                .then().statusCode(200).body("inputs", hasSize(1)).body("inputs[0].storage_key", equalTo(fresh.getString("file_key")));
        String url = as(team, Role.VIEWER).body(Map.of("storage_keys", List.of(key))).post("/internal/v1/downloads").then().statusCode(200)
                .extract().path("links[0].url");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                .as("the expired input's object is deleted").isEqualTo(404);
        as(team, Role.MEMBER).body(Map.of()).post("/api/v1/uploads/multipart/" + abandoned + "/parts").then().statusCode(404);
    }
}
