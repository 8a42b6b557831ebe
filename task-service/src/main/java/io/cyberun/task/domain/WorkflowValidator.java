package io.cyberun.task.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.task.ParameterDef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Checks a workflow definition before it is stored, collecting every problem. Besides lengths and patterns it
 * checks that each parameter's injection target exists in {@code workflow_json}: {@code node_id}/{@code field}
 * for ComfyUI graphs, {@code target_path} for Nerfstudio specs.
 */
public final class WorkflowValidator {
    public static final Pattern SLUG = Pattern.compile("^[a-z0-9]+(?:-[a-z0-9]+)*$");
    static final Pattern PARAMETER_KEY = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,99}$");
    static final Pattern LABEL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$");
    static final Pattern EXEC_COMMAND = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");
    /** The tool types this platform runs. {@code exec} runs a command the agent's operator configured. */
    public static final Set<String> TOOL_TYPES = Set.of("comfyui", "nerfstudio", "exec");
    public static final Set<String> STATUSES = Set.of("active", "disabled");
    /** Longest task timeout accepted: one week. */
    static final int MAX_TASK_TIMEOUT = 7 * 24 * 3600;
    static final int MAX_RETRIES = 10;
    static final int MAX_PARAMETERS = 100;

    private WorkflowValidator() {
    }

    public static List<FieldError> validate(WorkflowDefinition d) {
        List<FieldError> errors = new ArrayList<>();
        if (d.workflowSlug() == null || d.workflowSlug().length() < 2 || d.workflowSlug().length() > 100
                || !SLUG.matcher(d.workflowSlug()).matches()) {
            errors.add(new FieldError("workflow_slug", "must be 2-100 lowercase letters, digits and single dashes, e.g. text-to-image"));
        }
        if (d.displayName() == null || d.displayName().isBlank() || d.displayName().length() > 255) {
            errors.add(new FieldError("display_name", "must be 1-255 characters"));
        }
        if (d.description() != null && d.description().length() > 2000) {
            errors.add(new FieldError("description", "must be at most 2000 characters"));
        }
        String tool = d.toolType() == null ? "comfyui" : d.toolType();
        if (!TOOL_TYPES.contains(tool)) {
            errors.add(new FieldError("tool_type", "must be one of comfyui, nerfstudio, exec"));
        }
        if (d.workflowJson() == null || !d.workflowJson().isObject()) {
            errors.add(new FieldError("workflow_json", "must be a JSON object (a ComfyUI API graph, a Nerfstudio spec, or {\"command\": ...} for exec)"));
        } else if ("exec".equals(tool)) {
            JsonNode command = d.workflowJson().get("command");
            if (command == null || !command.isTextual() || !EXEC_COMMAND.matcher(command.textValue()).matches()) {
                errors.add(new FieldError("workflow_json.command", "must name a command configured on the agents (letters, digits, . _ -)"));
            }
        }
        if (d.workflowStatus() != null && !STATUSES.contains(d.workflowStatus())) {
            errors.add(new FieldError("workflow_status", "must be active or disabled"));
        }
        range(errors, "task_timeout", d.taskTimeout(), 0, MAX_TASK_TIMEOUT);
        range(errors, "max_retries", d.maxRetries(), 0, MAX_RETRIES);
        range(errors, "min_vram_gb", d.minVramGb(), 0, 1024);
        labels(errors, d.requiredLabels());
        if (d.requiredModels() != null) {
            for (int i = 0; i < d.requiredModels().size(); i++) {
                String m = d.requiredModels().get(i);
                if (m == null || m.isBlank() || m.length() > 500 || m.startsWith("/") || m.contains("..") || m.contains("\\")) {
                    errors.add(new FieldError("required_models[" + i + "]", "must be a relative model path without .. or backslashes"));
                }
            }
        }
        if (d.preferredGpu() != null && d.preferredGpu().length() > 100) {
            errors.add(new FieldError("preferred_gpu", "must be at most 100 characters"));
        }
        parameters(errors, d.parameters() == null ? List.of() : d.parameters(), tool, d.workflowJson());
        return errors;
    }

    private static void parameters(List<FieldError> errors, List<ParameterDef> params, String tool, JsonNode graph) {
        if (params.size() > MAX_PARAMETERS) {
            errors.add(new FieldError("parameters", "at most " + MAX_PARAMETERS + " parameters"));
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < params.size(); i++) {
            ParameterDef p = params.get(i);
            String at = "parameters[" + i + "]";
            if (p == null) {
                errors.add(new FieldError(at, "must be an object"));
                continue;
            }
            if (p.key() == null || !PARAMETER_KEY.matcher(p.key()).matches()) {
                errors.add(new FieldError(at + ".key", "must be 1-100 letters, digits or _ and not start with a digit"));
            } else if (!seen.add(p.key())) {
                errors.add(new FieldError(at + ".key", "duplicate parameter key " + p.key()));
            }
            if (p.type() == null) {
                errors.add(new FieldError(at + ".type", "must be one of string, number, integer, boolean, select, file"));
                continue;
            }
            if (p.label() != null && p.label().length() > 255) {
                errors.add(new FieldError(at + ".label", "must be at most 255 characters"));
            }
            if (p.min() != null && p.max() != null && p.min() > p.max()) {
                errors.add(new FieldError(at + ".min", "must not be greater than max"));
            }
            if (p.type() == io.cyberun.contracts.task.ParameterType.SELECT && (p.options() == null || p.options().isEmpty())) {
                errors.add(new FieldError(at + ".options", "a select parameter needs at least one option"));
            }
            if (p.defaultValue() != null && !p.defaultValue().isNull()
                    && p.type() != io.cyberun.contracts.task.ParameterType.FILE) {
                String problem = ParameterValidator.check(p, p.defaultValue(), new UUID(0, 0));
                if (problem != null) {
                    errors.add(new FieldError(at + ".default", problem));
                }
            }
            if (graph != null && graph.isObject()) {
                target(errors, at, p, tool, graph);
            }
        }
    }

    private static void target(List<FieldError> errors, String at, ParameterDef p, String tool, JsonNode graph) {
        switch (tool) {
            case "comfyui" -> {
                if (p.nodeId() == null || p.field() == null) {
                    errors.add(new FieldError(at + ".node_id", "a ComfyUI parameter needs node_id and field"));
                    return;
                }
                JsonNode node = graph.get(p.nodeId());
                if (node == null || !node.isObject()) {
                    errors.add(new FieldError(at + ".node_id", "node " + p.nodeId() + " is not in workflow_json"));
                } else if (!node.path("inputs").has(p.field())) {
                    errors.add(new FieldError(at + ".field", "node " + p.nodeId() + " has no input " + p.field()));
                }
            }
            case "nerfstudio" -> {
                if (p.targetPath() == null || p.targetPath().isBlank()) {
                    errors.add(new FieldError(at + ".target_path", "a Nerfstudio parameter needs target_path"));
                    return;
                }
                JsonNode cursor = graph;
                for (String part : p.targetPath().split("\\.")) {
                    cursor = cursor == null ? null : cursor.get(part);
                }
                if (cursor == null) {
                    errors.add(new FieldError(at + ".target_path", p.targetPath() + " is not in workflow_json"));
                }
            }
            default -> {
                // exec passes parameters as environment variables and {{key}} placeholders: no target to check.
            }
        }
    }

    private static void labels(List<FieldError> errors, List<String> labels) {
        if (labels == null) {
            return;
        }
        if (labels.size() > 32) {
            errors.add(new FieldError("required_labels", "at most 32 labels"));
        }
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label == null || !LABEL.matcher(label).matches()) {
                errors.add(new FieldError("required_labels[" + i + "]", "must be 1-64 letters, digits, . _ : -"));
            }
        }
    }

    private static void range(List<FieldError> errors, String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            errors.add(new FieldError(field, "must be between " + min + " and " + max));
        }
    }
}
