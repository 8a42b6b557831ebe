package io.cyberun.task.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.Violations;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/** A workflow definition's constraints, checked as task-service checks them (every problem, each on its field). */
class WorkflowConstraintsTests {
    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    private static List<FieldError> validate(WorkflowDefinition definition) {
        return Violations.details(VALIDATOR.validate(definition));
    }

    private static JsonNode json(String text) {
        try {
            return CyberunJson.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final JsonNode GRAPH = json("{\"6\":{\"class_type\":\"CLIPTextEncode\",\"inputs\":{\"text\":\"a cat\"}}}");

    static WorkflowDefinition comfy(List<ParameterDef> params) {
        return new WorkflowDefinition("text-to-image", "Text to image", null, "comfyui", GRAPH, params, List.of("gpu"), 60, 1,
                List.of(), null, null, null, null, null);
    }

    static ParameterDef param(String key, String node, String field) {
        return new ParameterDef(key, ParameterType.STRING, null, null, true, null, null, null, null, null, node, field, null, null);
    }

    @Test
    void aValidComfyUiWorkflowPasses() {
        assertThat(validate(comfy(List.of(param("prompt", "6", "text"))))).isEmpty();
    }

    @Test
    void everyParameterMustPointAtAnInputThatExists() {
        assertThat(validate(comfy(List.of(param("prompt", "7", "text"), param("neg", "6", "negative")))))
                .extracting(FieldError::field).containsExactly("parameters[0].node_id", "parameters[1].field");
    }

    @Test
    void slugLengthsAndValuesAreChecked() {
        var bad = new WorkflowDefinition("Bad_Slug", "", "x".repeat(2001), "blender", json("[]"), List.of(), List.of("ok", "bad label"),
                -1, 11, List.of("/abs/model.safetensors"), null, null, null, "paused", null);
        assertThat(validate(bad)).extracting(FieldError::field).containsExactlyInAnyOrder(
                "workflow_slug", "display_name", "description", "tool_type", "workflow_json", "workflow_status", "task_timeout",
                "max_retries", "required_labels[1]", "required_models[0]");
    }

    @Test
    void anExecWorkflowNamesACommandAndNerfstudioParametersATargetPath() {
        var exec = new WorkflowDefinition("demo", "Demo", null, "exec", json("{\"command\":\"rm -rf /\"}"), List.of(), List.of(), null, null,
                null, null, null, null, null, null);
        assertThat(validate(exec)).extracting(FieldError::field).containsExactly("workflow_json.command");
        var nerf = new WorkflowDefinition("splat", "Splat", null, "nerfstudio", json("{\"train\":{\"max_num_iterations\":3000}}"),
                List.of(new ParameterDef("iters", ParameterType.INTEGER, null, null, false, null, 1.0, null, null, null, null, null,
                        "train.max_num_iterations", null),
                        new ParameterDef("lr", ParameterType.NUMBER, null, null, false, null, null, null, null, null, null, null,
                                "train.learning_rate", null)),
                List.of(), null, null, null, null, null, null, null, null);
        assertThat(validate(nerf)).extracting(FieldError::field).containsExactly("parameters[1].target_path");
    }

    @Test
    void duplicateKeysAndDefaultsOutsideTheirRangeAreRefused() {
        var p1 = new ParameterDef("steps", ParameterType.INTEGER, null, null, false, json("99"), 1.0, 50.0, null, null, "6", "text", null, null);
        var p2 = new ParameterDef("steps", ParameterType.SELECT, null, null, false, null, null, null, List.of(), null, "6", "text", null, null);
        assertThat(validate(comfy(List.of(p1, p2)))).extracting(FieldError::field)
                .containsExactly("parameters[0].default", "parameters[1].key", "parameters[1].options");
    }

    @Test
    void messagesQuoteTheClientsValuesAsTheyAre() {
        List<FieldError> errors = validate(comfy(List.of(param("prompt", "${1+1} {message} \\d", "text"))));
        assertThat(errors).extracting(FieldError::message).containsExactly("node ${1+1} {message} \\d is not in workflow_json");
        assertThat(validate(new WorkflowDefinition("text-to-image", "Text to image", null, "comfyui", json("[]"), List.of(), List.of(),
                null, null, List.of(), null, null, null, null, null))).extracting(FieldError::message)
                .containsExactly("must be a JSON object (a ComfyUI API graph, a Nerfstudio spec, or {\"command\": ...} for exec)");
    }

    @Test
    void aMissingParameterIsNamedByItsPlaceAndTooManyNameOnlyTheList() {
        List<ParameterDef> withHole = new ArrayList<>(List.of(param("prompt", "6", "text")));
        withHole.add(null);
        assertThat(validate(comfy(withHole))).extracting(FieldError::field).containsExactly("parameters[1]");
        List<ParameterDef> many = IntStream.range(0, 101).mapToObj(i -> param("p" + i, "9", "none")).toList();
        assertThat(validate(comfy(many))).extracting(FieldError::field, FieldError::message)
                .containsExactly(tuple("parameters", "at most 100 parameters"));
    }
}
