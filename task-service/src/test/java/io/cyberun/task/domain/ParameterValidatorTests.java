package io.cyberun.task.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ParameterValidatorTests {
    private static final UUID TEAM = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final List<ParameterDef> DEFS = List.of(
            def("prompt", ParameterType.STRING, true, null, null, null, null, null),
            def("steps", ParameterType.INTEGER, false, IntNode.valueOf(20), 1.0, 50.0, null, null),
            def("cfg", ParameterType.NUMBER, false, null, 0.0, 30.0, null, null),
            def("hires", ParameterType.BOOLEAN, false, null, null, null, null, null),
            def("sampler", ParameterType.SELECT, false, TextNode.valueOf("euler"), null, null, List.of("euler", "dpm"), null),
            def("image", ParameterType.FILE, false, null, null, null, null, List.of("image/png")));

    static ParameterDef def(String key, ParameterType type, boolean required, JsonNode dflt, Double min, Double max, List<String> options,
                            List<String> accept) {
        return new ParameterDef(key, type, key, null, required, dflt, min, max, options, accept, null, null, null, null);
    }

    private static JsonNode json(String text) throws Exception {
        return CyberunJson.mapper().readTree(text);
    }

    @Test
    void defaultsFillOmittedParametersAndGivenValuesAreKept() throws Exception {
        var result = ParameterValidator.resolve(DEFS, json("{\"prompt\":\"a cat\",\"cfg\":7.5}"), TEAM);
        assertThat(result.errors()).isEmpty();
        assertThat(result.resolved().toString()).isEqualTo("{\"prompt\":\"a cat\",\"steps\":20,\"cfg\":7.5,\"sampler\":\"euler\"}");
    }

    @Test
    void oneErrorListsEveryBadField() throws Exception {
        var result = ParameterValidator.resolve(DEFS, json("""
                {"steps": 2.5, "cfg": 99, "hires": "yes", "sampler": "ddim", "image": "teams/other/inputs/x.png", "seed": 1}"""), TEAM);
        assertThat(result.errors()).extracting(FieldError::field).containsExactlyInAnyOrder(
                "parameters.seed", "parameters.prompt", "parameters.steps", "parameters.cfg", "parameters.hires",
                "parameters.sampler", "parameters.image");
        assertThat(result.errors()).filteredOn(e -> e.field().equals("parameters.cfg")).first()
                .extracting(FieldError::message).isEqualTo("must be at most 30");
        assertThat(result.errors()).filteredOn(e -> e.field().equals("parameters.seed")).first()
                .extracting(FieldError::message).asString().contains("unknown parameter").contains("prompt, steps");
    }

    @Test
    void aFileParameterMustBeAnUploadOfTheSameTeam() throws Exception {
        String own = "\"teams/" + TEAM + "/inputs/" + UUID.randomUUID() + "/cat.png\"";
        assertThat(ParameterValidator.resolve(DEFS, json("{\"prompt\":\"x\",\"image\":" + own + "}"), TEAM).errors()).isEmpty();
        assertThat(ParameterValidator.resolve(DEFS, json("{\"prompt\":\"x\",\"image\":\"teams/" + TEAM + "/inputs/../../x\"}"), TEAM).errors())
                .hasSize(1);
    }

    @Test
    void parametersMustBeAnObject() throws Exception {
        assertThat(ParameterValidator.resolve(DEFS, json("[1]"), TEAM).errors()).extracting(FieldError::field).containsExactly("parameters");
        assertThat(ParameterValidator.resolve(List.of(), null, TEAM).errors()).isEmpty();
    }

    @Test
    void wholeNumbersWrittenWithAFractionAreAcceptedForIntegers() throws Exception {
        assertThat(ParameterValidator.resolve(DEFS, json("{\"prompt\":\"x\",\"steps\":5.0}"), TEAM).errors()).isEmpty();
    }
}
