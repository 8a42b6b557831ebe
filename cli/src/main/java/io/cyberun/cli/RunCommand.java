package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cyberun run SLUG[@VERSION] -p key=value -f key=PATH [--watch]}: values are typed by the workflow's parameter
 * definitions (so {@code steps=8} goes as a number), files are uploaded first, and {@code --watch} follows the task.
 */
@Command(name = "run", description = {"Runs a workflow: -p for values, -f for files (uploaded first, with progress).",
        "Prints the task id; --watch follows the task live and exits 1 when it fails."})
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SLUG[@VERSION]", description = "The workflow's slug, optionally pinned to a version")
    String workflow;
    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE", description = "A parameter value (repeatable)")
    Map<String, String> params = new LinkedHashMap<>();
    @Option(names = {"-f", "--file"}, paramLabel = "KEY=PATH", description = "A file parameter: uploads PATH (repeatable)")
    Map<String, Path> files = new LinkedHashMap<>();
    @Option(names = "--priority", description = "-100..100, higher first among the team's waiting tasks (default 0)")
    Integer priority;
    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Running again with the same key returns the same task")
    String idempotencyKey;
    @Option(names = {"-w", "--watch"}, description = "Follow the task to its end (progress bar and live log)")
    boolean watch;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "With --watch: give up (exit 6) after this long; the task goes on")
    Long timeout;

    @Override
    public Integer call() {
        Api api = Cyberun.api();
        JsonNode definition = WorkflowCommands.find(api, workflow);
        Map<String, JsonNode> defs = new HashMap<>();
        for (JsonNode p : definition.path("parameters")) {
            defs.put(p.path("key").asText(), p);
        }
        ObjectNode parameters = Config.JSON.createObjectNode();
        params.forEach((key, value) -> parameters.set(key, typed(key, value, defs.get(key), defs)));
        String slug = definition.path("workflow_slug").asText();
        files.forEach((key, path) -> {
            JsonNode def = defs.get(key);
            if (def == null || !"file".equals(def.path("type").asText())) {
                throw CliException.usage("-f " + key + ": the workflow has no file parameter " + key,
                        "its parameters: cyberun workflows get " + workflow);
            }
            parameters.put(key, Transfers.upload(api, path, slug, key));
        });
        ObjectNode body = Config.JSON.createObjectNode();
        body.set("parameters", parameters);
        if (priority != null) {
            body.put("priority", priority);
        }
        Map<String, String> headers = idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey);
        JsonNode accepted;
        try {
            accepted = api.send("POST", "/api/v1/r/workflows/slug/" + Api.segment(workflow) + "/run", body, headers);
        } catch (CliException e) {
            if (e.exitCode() == CliException.REFUSED && e.hint() == null) {
                throw new CliException(e.exitCode(), e.getMessage(), "the workflow's parameters: cyberun workflows get " + workflow);
            }
            throw e;
        }
        String taskId = accepted.path("task_id").asText();
        if (Out.json && !watch) {
            Out.json(accepted);
            return 0;
        }
        if (!watch) {
            Out.line(taskId);
            Out.say("task " + taskId + " accepted; follow it with cyberun tasks watch " + taskId);
            return 0;
        }
        Out.say("task " + taskId + " accepted");
        return TaskWatch.follow(api, taskId, timeout == null ? null : Duration.ofSeconds(timeout));
    }

    /** The value as the parameter's type wants it; unknown keys and unparsable values are refused before anything is sent. */
    static JsonNode typed(String key, String value, JsonNode def, Map<String, JsonNode> defs) {
        if (def == null) {
            throw CliException.usage("-p " + key + ": the workflow has no parameter " + key,
                    defs.isEmpty() ? "this workflow takes no parameters" : "its parameters: " + String.join(", ", defs.keySet().stream().sorted().toList()));
        }
        String type = def.path("type").asText("string").toLowerCase(Locale.ROOT);
        try {
            return switch (type) {
                case "integer" -> Config.JSON.getNodeFactory().numberNode(Long.parseLong(value.trim()));
                case "number" -> Config.JSON.getNodeFactory().numberNode(new java.math.BigDecimal(value.trim()));
                case "boolean" -> Config.JSON.getNodeFactory().booleanNode(bool(value));
                case "file" -> throw CliException.usage("-p " + key + ": " + key + " is a file parameter", "give it with -f " + key + "=PATH");
                default -> Config.JSON.getNodeFactory().textNode(value);
            };
        } catch (NumberFormatException e) {
            String wanted = switch (type) {
                case "integer" -> "an integer";
                case "boolean" -> "true or false";
                default -> "a number";
            };
            throw CliException.usage("-p " + key + "=" + value + ": " + key + " takes " + wanted,
                    "e.g. -p " + key + "=" + (def.hasNonNull("default") ? def.path("default").asText() : type.equals("boolean") ? "true" : "1"));
        }
    }

    private static boolean bool(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (List.of("true", "yes", "1", "on").contains(s)) {
            return true;
        }
        if (List.of("false", "no", "0", "off").contains(s)) {
            return false;
        }
        throw new NumberFormatException(v);
    }
}
