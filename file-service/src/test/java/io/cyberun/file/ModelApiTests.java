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
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Models: presigned upload to the real S3Proxy, registration checked against the stored bytes, metadata, manifest. */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "file"), @ResourceArg(name = "storage", value = "true")})
class ModelApiTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    final HttpClient http = HttpClient.newHttpClient();
    final UUID team = UUID.randomUUID();

    RequestSpecification as(UUID teamId, Role role) {
        return given().header(PrincipalTokens.HEADER, CTX.userToken(teamId, role)).contentType(ContentType.JSON);
    }

    /** Presigns, uploads {@code bytes} and returns the storage key. */
    String upload(String path, byte[] bytes) throws Exception {
        JsonPath p = as(team, Role.ADMIN).body(Map.of("file_name", "model.safetensors", "file_size", bytes.length, "model_type", "checkpoints",
                "model_path", path)).post("/api/v1/models/presign").then().statusCode(200).extract().jsonPath();
        assertThat(PresignedPut.send(p.getString("upload_url"), p.getMap("upload_headers"), bytes).statusCode()).isEqualTo(200);
        return p.getString("storage_key");
    }

    static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    Map<String, Object> registration(String name, String path, String key, long size, String hash) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("display_name", name);
        body.put("model_type", "checkpoints");
        body.put("model_path", path);
        body.put("storage_key", key);
        body.put("file_size", size);
        body.put("file_hash", hash);
        return body;
    }

    @Test
    void aModelIsUploadedRegisteredListedEditedAndServedInTheManifestWhileActive() throws Exception {
        byte[] bytes = "weights of a tiny model".getBytes();
        String key = upload("tiny.safetensors", bytes);
        assertThat(key).startsWith("teams/" + team + "/models/");
        String id = as(team, Role.ADMIN).body(registration("Tiny", "tiny.safetensors", key, bytes.length, sha256(bytes)))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");

        as(team, Role.VIEWER).get("/api/v1/models/" + id).then().statusCode(200)
                .body("display_name", equalTo("Tiny")).body("model_status", equalTo("active")).body("file_size", equalTo(bytes.length))
                .body("file_hash", equalTo(sha256(bytes))).body("model_path", equalTo("tiny.safetensors"));
        as(team, Role.VIEWER).get("/api/v1/models").then().statusCode(200)
                .body("model_list", hasSize(1)).body("page_meta.total_count", equalTo(1));

        JsonPath manifest = as(team, Role.MEMBER).get("/internal/v1/models/manifest").then().statusCode(200).extract().jsonPath();
        assertThat(manifest.getList("models.name")).containsExactly("checkpoints/tiny.safetensors");
        byte[] fetched = http.send(HttpRequest.newBuilder(URI.create(manifest.getString("models[0].url"))).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(fetched).isEqualTo(bytes);

        as(team, Role.ADMIN).body(Map.of("model_status", "disabled", "display_name", "Tiny (old)")).put("/api/v1/models/" + id)
                .then().statusCode(200).body("id", equalTo(id));
        as(team, Role.MEMBER).get("/internal/v1/models/manifest").then().statusCode(200).body("models", hasSize(0));
        as(team, Role.VIEWER).queryParam("model_status", "disabled").get("/api/v1/models").then().statusCode(200)
                .body("model_list[0].display_name", equalTo("Tiny (old)"));

        // Another team sees nothing of it.
        UUID other = UUID.randomUUID();
        as(other, Role.OWNER).get("/api/v1/models/" + id).then().statusCode(404);
        as(other, Role.OWNER).body(Map.of("model_status", "active")).put("/api/v1/models/" + id).then().statusCode(404);
        as(other, Role.OWNER).delete("/api/v1/models/" + id).then().statusCode(404);
        as(other, Role.OWNER).get("/api/v1/models").then().statusCode(200).body("model_list", hasSize(0));
        as(other, Role.OWNER).body(registration("Stolen", "stolen.safetensors", key, bytes.length, sha256(bytes))).post("/api/v1/models")
                .then().statusCode(400).body("details.field", hasItems("storage_key"));

        as(team, Role.ADMIN).delete("/api/v1/models/" + id).then().statusCode(204);
        as(team, Role.VIEWER).get("/api/v1/models/" + id).then().statusCode(404);
    }

    @Test
    void aRegistrationThatDoesNotMatchTheStoredFileIsRefusedAndWritesNothing() throws Exception {
        byte[] bytes = "some lora".getBytes();
        String key = upload("styles/lora.safetensors", bytes);
        as(team, Role.ADMIN).body(registration("Bad hash", "styles/lora.safetensors", key, bytes.length, sha256("other".getBytes())))
                .post("/api/v1/models").then().statusCode(400).body("details[0].field", equalTo("file_hash"))
                .body("details[0].message", equalTo("the uploaded object's hash is " + sha256(bytes)));
        as(team, Role.ADMIN).body(registration("Bad size", "styles/lora.safetensors", key, bytes.length + 1, sha256(bytes)))
                .post("/api/v1/models").then().statusCode(400).body("details[0].field", equalTo("file_size"));
        as(team, Role.ADMIN).body(registration("Never uploaded", "x.safetensors", "teams/" + team + "/models/" + UUID.randomUUID() + "/x", 3,
                sha256("abc".getBytes()))).post("/api/v1/models").then().statusCode(400).body("details[0].field", equalTo("storage_key"));
        as(team, Role.VIEWER).get("/api/v1/models").then().statusCode(200).body("model_list", hasSize(0));

        String id = as(team, Role.ADMIN).body(registration("Lora", "styles/lora.safetensors", key, bytes.length, sha256(bytes)))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
        as(team, Role.ADMIN).body(registration("Again", "styles/other.safetensors", key, bytes.length, sha256(bytes))).post("/api/v1/models")
                .then().statusCode(409).body("error_message", startsWith("this upload is already registered as model " + id));
        String second = upload("second.safetensors", bytes);
        as(team, Role.ADMIN).body(registration("Same place", "styles/lora.safetensors", second, bytes.length, sha256(bytes)))
                .post("/api/v1/models").then().statusCode(409);
    }

    @Test
    void badModelRequestsAreRefusedWithTheFieldsNamed() {
        as(team, Role.ADMIN).body(Map.of("file_name", "m.bin", "file_size", 1, "model_type", "check points", "model_path", "../etc/passwd"))
                .post("/api/v1/models/presign").then().statusCode(400).body("details.field", hasItems("model_type", "model_path"));
        for (String path : List.of("/abs.safetensors", "a\\b.safetensors", "dir/", "a/../b")) {
            as(team, Role.ADMIN).body(Map.of("file_name", "m.bin", "file_size", 1, "model_type", "loras", "model_path", path))
                    .post("/api/v1/models/presign").then().statusCode(400).body("details.field", hasItems("model_path"));
        }
        as(team, Role.ADMIN).body(Map.of("file_name", "m.bin", "file_size", 6L * 1024 * 1024 * 1024, "model_type", "loras", "model_path", "m.bin"))
                .post("/api/v1/models/presign").then().statusCode(400).body("details.field", hasItems("file_size"));
        as(team, Role.MEMBER).body(Map.of("file_name", "m.bin", "file_size", 1, "model_type", "loras", "model_path", "m.bin"))
                .post("/api/v1/models/presign").then().statusCode(403);
        as(team, Role.ADMIN).body(Map.of("display_name", "", "file_hash", "md5:abc")).post("/api/v1/models").then().statusCode(400)
                .body("details.field", hasItems("display_name", "model_type", "model_path", "file_size", "file_hash", "storage_key"));
        as(team, Role.ADMIN).body(Map.of("model_status", "gone")).put("/api/v1/models/" + UUID.randomUUID()).then().statusCode(404);
        as(team, Role.VIEWER).queryParam("model_status", "gone").get("/api/v1/models").then().statusCode(400);
        as(team, Role.VIEWER).queryParam("model_status", "gone").queryParam("per_page", "101").get("/api/v1/models").then().statusCode(400)
                .body("details.field", equalTo(List.of("model_status", "per_page")))
                .body("details.message", equalTo(List.of("must be active or disabled", "must be a whole number between 1 and 100")));
    }
}
