package io.cyberun.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the CLI decides without a server: typing of values, names of downloaded files, refusals and exit codes. */
class CliTests {
    static JsonNode json(String text) throws Exception {
        return Config.JSON.readTree(text);
    }

    @Test
    void valuesAreTypedByTheWorkflowsParameterDefinitions() throws Exception {
        Map<String, JsonNode> defs = Map.of("steps", json("{\"key\":\"steps\",\"type\":\"integer\",\"default\":8}"),
                "scale", json("{\"key\":\"scale\",\"type\":\"number\"}"), "hd", json("{\"key\":\"hd\",\"type\":\"boolean\"}"),
                "prompt", json("{\"key\":\"prompt\",\"type\":\"string\"}"), "image", json("{\"key\":\"image\",\"type\":\"file\"}"));
        assertThat(RunCommand.typed("steps", "12", defs.get("steps"), defs).isIntegralNumber()).isTrue();
        assertThat(RunCommand.typed("scale", "1.5", defs.get("scale"), defs).asDouble()).isEqualTo(1.5);
        assertThat(RunCommand.typed("hd", "yes", defs.get("hd"), defs).asBoolean()).isTrue();
        assertThat(RunCommand.typed("prompt", "42", defs.get("prompt"), defs).isTextual()).as("a string stays a string").isTrue();
        assertThatThrownBy(() -> RunCommand.typed("steps", "many", defs.get("steps"), defs)).isInstanceOf(CliException.class)
                .hasMessageContaining("steps takes an integer").extracting(e -> ((CliException) e).exitCode()).isEqualTo(CliException.USAGE);
        assertThatThrownBy(() -> RunCommand.typed("hd", "maybe", defs.get("hd"), defs)).hasMessageContaining("true or false");
        assertThatThrownBy(() -> RunCommand.typed("image", "x.png", defs.get("image"), defs)).hasMessageContaining("image is a file parameter");
        assertThatThrownBy(() -> RunCommand.typed("colour", "red", null, defs)).hasMessageContaining("no parameter colour");
    }

    @Test
    void anOutputLandsInTheFolderAskedForWhateverItsNameSays() throws Exception {
        JsonNode result = json("""
                {"task_output": {"files": [
                   {"name": "../../etc/passwd", "output_id": "a", "size": 1},
                   {"name": "..", "output_id": "b", "size": 1},
                   {"name": "card.png", "output_id": "9.images.0", "size": 1, "sha256": "ab"},
                   {"name": "card.png", "output_id": "9.images.1", "size": 1},
                   {"name": "gone.png", "output_id": "c", "size": 1}]},
                 "download_urls": {"a": "http://s/a", "b": "http://s/b", "9.images.0": "http://s/0", "9.images.1": "http://s/1"}}""");
        var outputs = TaskCommands.outputs(result);
        assertThat(outputs).extracting(TaskCommands.Output::name).containsExactly("passwd", "output-2", "card.png", "9.images.1-card.png");
        assertThat(outputs).extracting(TaskCommands.Output::url).containsExactly("http://s/a", "http://s/b", "http://s/0", "http://s/1");
        assertThat(outputs.get(2).sha256()).isEqualTo("ab");
    }

    @Test
    void refusalsCarryTheApisMessageTheFieldsAndAnExitCodeByStatus() {
        CliException invalid = Api.refusal("POST", "/x", 400,
                "{\"error_message\":\"run request is invalid\",\"error_code\":\"invalid_request\",\"details\":[{\"field\":\"parameters.prompt\",\"message\":\"is required\"}]}");
        assertThat(invalid.getMessage()).isEqualTo("run request is invalid (parameters.prompt: is required)");
        assertThat(invalid.exitCode()).isEqualTo(CliException.REFUSED);
        assertThat(Api.refusal("GET", "/x", 401, "{\"error_message\":\"credential revoked\"}").exitCode()).isEqualTo(CliException.NOT_ALLOWED);
        assertThat(Api.refusal("GET", "/x", 403, "").exitCode()).isEqualTo(CliException.NOT_ALLOWED);
        assertThat(Api.refusal("GET", "/x", 404, "{\"error_message\":\"task not found\"}").exitCode()).isEqualTo(CliException.REFUSED);
        CliException down = Api.refusal("GET", "/api/v1/r/tasks", 503, "<html>bad gateway</html>");
        assertThat(down.exitCode()).isEqualTo(CliException.UNAVAILABLE);
        assertThat(down.getMessage()).isEqualTo("HTTP 503 from GET /api/v1/r/tasks");
        assertThat(Api.refusal("GET", "/x", 429, "{}").exitCode()).isEqualTo(CliException.UNAVAILABLE);
    }

    @Test
    void aWrongCommandLineEndsWithExitCode2() {
        assertThat(Cyberun.execute("tasks", "list", "--colour")).isEqualTo(CliException.USAGE);
        assertThat(Cyberun.execute("run")).isEqualTo(CliException.USAGE);
        assertThat(Cyberun.execute("--version")).isZero();
    }
}
