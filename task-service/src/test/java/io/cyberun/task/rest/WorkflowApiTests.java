package io.cyberun.task.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.cyberun.task.FileServiceStub;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The workflow management and runtime-read API, endpoint by endpoint. */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = @ResourceArg(name = "database", value = "task"))
@QuarkusTestResource(FileServiceStub.class)
class WorkflowApiTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();
    static final String COMFY = """
            {"workflow_slug": "%s", "display_name": "Text to image", "description": "SD 1.5", "tool_type": "comfyui",
             "workflow_json": {"6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat"}},
                               "3": {"class_type": "KSampler", "inputs": {"steps": 20, "seed": 1}}},
             "parameters": [{"key": "prompt", "type": "string", "label": "Prompt", "required": true, "node_id": "6", "field": "text"},
                            {"key": "steps", "type": "integer", "default": 20, "min": 1, "max": 100, "node_id": "3", "field": "steps"}],
             "required_labels": ["gpu", "sd15"], "task_timeout": 600, "max_retries": 2, "required_models": ["checkpoints/sd15.safetensors"],
             "min_vram_gb": 8, "preferred_gpu": "RTX_4090", "default_dispatch_target": "agent", "snapshot_note": "first"}""";

    final UUID team = UUID.randomUUID();

    RequestSpecification as(UUID team, Role role, CredentialKind kind) {
        return given().header(PrincipalTokens.HEADER, CTX.token(new Principal("caller", team, role, kind, null)));
    }

    RequestSpecification admin() {
        return as(team, Role.ADMIN, CredentialKind.USER);
    }

    String importComfy(String slug) {
        return admin().contentType(ContentType.JSON).body(COMFY.formatted(slug)).post("/api/v1/workflows/import")
                .then().statusCode(200).extract().path("id");
    }

    @Test
    void importStoresEveryFieldAndAnImportOfTheSameSlugIsANewVersion() {
        String id = importComfy("t2i");
        admin().get("/api/v1/workflows/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("workflow_slug", equalTo("t2i")).body("display_name", equalTo("Text to image"))
                .body("description", equalTo("SD 1.5")).body("version", equalTo(1)).body("workflow_status", equalTo("active"))
                .body("tool_type", equalTo("comfyui")).body("workflow_json.'6'.inputs.text", equalTo("a cat"))
                .body("parameters.key", equalTo(List.of("prompt", "steps"))).body("parameters[1].default", equalTo(20))
                .body("required_labels", equalTo(List.of("gpu", "sd15"))).body("task_timeout", equalTo(600)).body("max_retries", equalTo(2))
                .body("required_models", equalTo(List.of("checkpoints/sd15.safetensors"))).body("min_vram_gb", equalTo(8))
                .body("preferred_gpu", equalTo("RTX_4090")).body("default_dispatch_target", equalTo("agent"))
                .body("created_at", notNullValue()).body("updated_at", notNullValue());
        String again = admin().contentType(ContentType.JSON).body(COMFY.formatted("t2i").replace("SD 1.5", "SD 1.5, tuned"))
                .post("/api/v1/workflows/import").then().statusCode(200).extract().path("id");
        assertThat(again).isEqualTo(id);
        admin().get("/api/v1/workflows/" + id).then().body("version", equalTo(2)).body("description", equalTo("SD 1.5, tuned"));
    }

    @Test
    void importRefusesUnknownFieldsWrongTypesAndTargetsThatDoNotExist() {
        admin().contentType(ContentType.JSON).body(COMFY.formatted("bad").replace("\"max_retries\"", "\"max_retry\""))
                .post("/api/v1/workflows/import").then().statusCode(400).body("details[0].field", equalTo("max_retry"))
                .body("details[0].message", containsString("unknown field"));
        admin().contentType(ContentType.JSON).body(COMFY.formatted("bad").replace("\"task_timeout\": 600", "\"task_timeout\": \"soon\""))
                .post("/api/v1/workflows/import").then().statusCode(400).body("details[0].field", equalTo("task_timeout"));
        admin().contentType(ContentType.JSON).body(COMFY.formatted("bad").replace("\"field\": \"steps\"", "\"field\": \"cfg\""))
                .post("/api/v1/workflows/import").then().statusCode(400).body("details[0].field", equalTo("parameters[1].field"));
        admin().contentType(ContentType.JSON).body(COMFY.formatted("-bad-")).post("/api/v1/workflows/import")
                .then().statusCode(400).body("details[0].field", equalTo("workflow_slug"));
        admin().contentType(ContentType.JSON).body("[]").post("/api/v1/workflows/import").then().statusCode(400);
        admin().get("/api/v1/r/workflows/slug/bad").then().statusCode(404);
    }

    @Test
    void everyProblemIsNamedWithTheClientsValuesQuotedAsGiven() {
        String body = COMFY.formatted("Quoted").replace("\"node_id\": \"6\"", "\"node_id\": \"{message} ${1+1}\"")
                .replace("\"task_timeout\": 600", "\"task_timeout\": -1").replace("[\"gpu\", \"sd15\"]", "[\"gpu\", \"no spaces\"]");
        admin().contentType(ContentType.JSON).body(body).post("/api/v1/workflows/import").then().statusCode(400)
                .body("error_code", equalTo("validation_failed")).body("error_message", equalTo("workflow is invalid"))
                .body("details.field", equalTo(List.of("parameters[0].node_id", "required_labels[1]", "task_timeout", "workflow_slug")))
                .body("details[0].message", equalTo("node {message} ${1+1} is not in workflow_json"))
                .body("details[2].message", equalTo("must be between 0 and 604800"));
    }

    @Test
    void anUpdateChangesOnlyTheFieldsGivenAndSavesANewVersion() {
        String id = importComfy("update-me");
        admin().contentType(ContentType.JSON).body("{\"display_name\": \"Renamed\", \"max_retries\": 0, \"snapshot_note\": \"tweak\"}")
                .put("/api/v1/workflows/" + id).then().statusCode(200).body("id", equalTo(id));
        admin().get("/api/v1/workflows/" + id).then().body("version", equalTo(2)).body("display_name", equalTo("Renamed"))
                .body("max_retries", equalTo(0)).body("description", equalTo("SD 1.5")).body("required_labels", hasSize(2));
        admin().contentType(ContentType.JSON).body("{\"workflow_slug\": \"renamed\", \"id\": \"" + id + "\", \"version\": 99}")
                .put("/api/v1/workflows/" + id).then().statusCode(200);
        admin().get("/api/v1/r/workflows/slug/renamed").then().statusCode(200).body("id", equalTo(id)).body("version", equalTo(3));
        importComfy("taken");
        admin().contentType(ContentType.JSON).body("{\"workflow_slug\": \"taken\"}").put("/api/v1/workflows/" + id).then().statusCode(409);
        admin().contentType(ContentType.JSON).body("{\"parameters\": [{\"key\": \"x\", \"type\": \"string\", \"node_id\": \"9\", \"field\": \"y\"}]}")
                .put("/api/v1/workflows/" + id).then().statusCode(400).body("details[0].field", equalTo("parameters[0].node_id"));
        admin().contentType(ContentType.JSON).body("{\"colour\": \"red\"}").put("/api/v1/workflows/" + id).then().statusCode(400);
        admin().get("/api/v1/workflows/" + id).then().body("version", equalTo(3));
        admin().contentType(ContentType.JSON).body("{}").put("/api/v1/workflows/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void snapshotsListNewestFirstShowTheirDefinitionAndRestoreAsANewVersion() {
        String id = importComfy("history");
        admin().contentType(ContentType.JSON).body("{\"description\": \"second\", \"snapshot_note\": \"v2\"}").put("/api/v1/workflows/" + id)
                .then().statusCode(200);
        var list = admin().get("/api/v1/workflows/" + id + "/snapshots").then().statusCode(200)
                .body("snapshot_list.workflow_version", equalTo(List.of(2, 1)))
                .body("snapshot_list.snapshot_note", equalTo(List.of("v2", "first")))
                .body("snapshot_list[0].workflow_json", nullValue())
                .body("page_meta.total_count", equalTo(2)).extract().jsonPath();
        String first = list.getString("snapshot_list[1].id");
        admin().get("/api/v1/workflows/" + id + "/snapshots/" + first).then().statusCode(200)
                .body("id", equalTo(first)).body("workflow_id", equalTo(id)).body("workflow_version", equalTo(1))
                .body("workflow_json.'6'.inputs.text", equalTo("a cat")).body("workflow_params.key", hasItems("prompt", "steps"))
                .body("snapshot_note", equalTo("first")).body("created_at", notNullValue());
        admin().post("/api/v1/workflows/" + id + "/snapshots/" + first + "/restore").then().statusCode(200).body("id", equalTo(id));
        admin().get("/api/v1/workflows/" + id).then().body("version", equalTo(3)).body("description", equalTo("SD 1.5"));
        admin().get("/api/v1/workflows/" + id + "/snapshots").then()
                .body("snapshot_list.workflow_version", equalTo(List.of(3, 2, 1)))
                .body("snapshot_list[0].snapshot_note", equalTo("restored from version 1"));
        admin().get("/api/v1/workflows/" + id + "/snapshots/" + UUID.randomUUID()).then().statusCode(404);
        admin().get("/api/v1/workflows/" + id + "/snapshots?per_page=500").then().statusCode(400);
    }

    @Test
    void deletingAWorkflowRemovesItAndItsSnapshots() {
        String id = importComfy("doomed");
        as(team, Role.MEMBER, CredentialKind.USER).delete("/api/v1/workflows/" + id).then().statusCode(403);
        admin().delete("/api/v1/workflows/" + id).then().statusCode(204);
        admin().get("/api/v1/workflows/" + id).then().statusCode(404);
        admin().get("/api/v1/workflows/" + id + "/snapshots").then().statusCode(404);
        admin().delete("/api/v1/workflows/" + id).then().statusCode(404);
        importComfy("doomed");
        admin().get("/api/v1/r/workflows/slug/doomed").then().statusCode(200).body("version", equalTo(1));
    }

    @Test
    void runtimeReadsHideTheGraphFromApiKeysAndPageTheList() {
        importComfy("rt-a");
        importComfy("rt-b");
        as(team, Role.VIEWER, CredentialKind.INTEGRATION).get("/api/v1/r/workflows?per_page=1").then().statusCode(200)
                .body("workflow_list", hasSize(1)).body("workflow_list[0].workflow_json", nullValue())
                .body("workflow_list[0].parameters", notNullValue()).body("page_meta.total_count", equalTo(2));
        as(team, Role.VIEWER, CredentialKind.USER).get("/api/v1/r/workflows").then().body("workflow_list[0].workflow_json", notNullValue());
        admin().get("/api/v1/workflows").then().statusCode(200).body("workflow_list", hasSize(2));
    }

    @Test
    void anotherTeamSeesNoneOfItAndViewersCannotChangeIt() {
        String id = importComfy("guarded");
        UUID other = UUID.randomUUID();
        String snapshot = admin().get("/api/v1/workflows/" + id + "/snapshots").then().extract().path("snapshot_list[0].id");
        for (String path : List.of("/api/v1/workflows/" + id, "/api/v1/workflows/" + id + "/snapshots",
                "/api/v1/workflows/" + id + "/snapshots/" + snapshot, "/api/v1/r/workflows/" + id, "/api/v1/r/workflows/slug/guarded")) {
            as(other, Role.OWNER, CredentialKind.USER).get(path).then().statusCode(404);
        }
        as(other, Role.OWNER, CredentialKind.USER).contentType(ContentType.JSON).body("{}").put("/api/v1/workflows/" + id).then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).delete("/api/v1/workflows/" + id).then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).post("/api/v1/workflows/" + id + "/snapshots/" + snapshot + "/restore").then().statusCode(404);
        as(other, Role.OWNER, CredentialKind.USER).get("/api/v1/workflows").then().body("workflow_list", hasSize(0));
        as(team, Role.VIEWER, CredentialKind.USER).get("/api/v1/workflows/" + id).then().statusCode(200);
        as(team, Role.VIEWER, CredentialKind.USER).contentType(ContentType.JSON).body("{}").put("/api/v1/workflows/" + id).then().statusCode(403);
        as(team, Role.MEMBER, CredentialKind.USER).post("/api/v1/workflows/" + id + "/snapshots/" + snapshot + "/restore").then().statusCode(403);
    }
}
