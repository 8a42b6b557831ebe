package io.cyberun.task.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The Bean Validation constraints of a workflow definition ({@link WorkflowDefinition} carries them): a slug, a label,
 * a model reference, a JSON object, and {@link Coherent}, the rules between fields — an exec workflow names a
 * command, and each parameter is well formed, unique and points at an input that exists in {@code workflow_json}
 * ({@code node_id}/{@code field} for ComfyUI graphs, {@code target_path} for Nerfstudio specs).
 */
public final class WorkflowConstraints {
    /** The tool types this platform runs. {@code exec} runs a command the agent's operator configured. */
    public static final String TOOL_TYPES = "comfyui|nerfstudio|exec";
    /** Longest task timeout accepted: one week. */
    public static final int MAX_TASK_TIMEOUT = 7 * 24 * 3600;
    public static final int MAX_RETRIES = 10;
    public static final int MAX_PARAMETERS = 100;
    public static final int MAX_LABELS = 32;

    private WorkflowConstraints() {
    }

    /** A workflow's slug: 2-100 lowercase letters, digits and single dashes (the length is in the pattern). */
    @Documented
    @NotNull
    @Pattern(regexp = Slug.REGEX)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Slug {
        String REGEX = "^(?=.{2,100}$)[a-z0-9]+(?:-[a-z0-9]+)*$";
        java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(REGEX);
        String MESSAGE = "must be 2-100 lowercase letters, digits and single dashes, e.g. text-to-image";

        String message() default MESSAGE;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A label an agent must carry: 1-64 letters, digits, . _ : - (not starting with a sign). */
    @Documented
    @NotNull
    @Pattern(regexp = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.TYPE_USE, ElementType.FIELD, ElementType.PARAMETER})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Label {
        String message() default "must be 1-64 letters, digits, . _ : -";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A model an agent must hold, as a path relative to its models folder: no leading /, no .., no backslash. */
    @Documented
    @Constraint(validatedBy = ModelReference.Validator.class)
    @Target({ElementType.TYPE_USE, ElementType.FIELD, ElementType.PARAMETER})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface ModelReference {
        String message() default "must be a relative model path without .. or backslashes";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<ModelReference, String> {
            @Override
            public boolean isValid(String m, ConstraintValidatorContext context) {
                return m != null && !m.isBlank() && m.length() <= 500 && !m.startsWith("/") && !m.contains("..") && !m.contains("\\");
            }
        }
    }

    /** The tool's definition: a JSON object (a ComfyUI API graph, a Nerfstudio spec, or an exec command). */
    @Documented
    @Constraint(validatedBy = JsonObject.Validator.class)
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface JsonObject {
        /** The braces are escaped: a message template reads {@code {...}} as a parameter. */
        String message() default "must be a JSON object (a ComfyUI API graph, a Nerfstudio spec, or \\{\"command\": ...\\} for exec)";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<JsonObject, JsonNode> {
            @Override
            public boolean isValid(JsonNode value, ConstraintValidatorContext context) {
                return value != null && value.isObject();
            }
        }
    }

    /**
     * The rules between a workflow's fields: an exec workflow's {@code workflow_json} names a configured command; each
     * parameter has a key (unique), a type, a coherent range, options when it is a select, a default it would accept,
     * and a target in {@code workflow_json} for its tool. Each problem is its own violation, on the field it is about.
     */
    @Documented
    @Constraint(validatedBy = Coherent.Validator.class)
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Coherent {
        String message() default "is inconsistent";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<Coherent, WorkflowDefinition> {
            static final java.util.regex.Pattern PARAMETER_KEY = java.util.regex.Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,99}$");
            static final java.util.regex.Pattern EXEC_COMMAND = java.util.regex.Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");

            @Override
            public boolean isValid(WorkflowDefinition d, ConstraintValidatorContext context) {
                if (d == null) {
                    return true;
                }
                Problems found = new Problems(context);
                String tool = d.toolType() == null ? "comfyui" : d.toolType();
                JsonNode graph = d.workflowJson() != null && d.workflowJson().isObject() ? d.workflowJson() : null;
                if (graph != null && "exec".equals(tool)) {
                    JsonNode command = graph.get("command");
                    if (command == null || !command.isTextual() || !EXEC_COMMAND.matcher(command.textValue()).matches()) {
                        found.add("must name a command configured on the agents (letters, digits, . _ -)", "workflow_json", null, "command");
                    }
                }
                List<ParameterDef> params = d.parameters() == null ? List.of() : d.parameters();
                if (params.size() <= MAX_PARAMETERS) { // beyond, @Size names the list and nothing else is checked
                    parameters(found, params, tool, graph);
                }
                return found.none();
            }

            private static void parameters(Problems found, List<ParameterDef> params, String tool, JsonNode graph) {
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < params.size(); i++) {
                    ParameterDef p = params.get(i);
                    if (p == null) {
                        found.add("must be an object", "parameters", i, null);
                        continue;
                    }
                    if (p.key() == null || !PARAMETER_KEY.matcher(p.key()).matches()) {
                        found.add("must be 1-100 letters, digits or _ and not start with a digit", "parameters", i, "key");
                    } else if (!seen.add(p.key())) {
                        found.add("duplicate parameter key " + p.key(), "parameters", i, "key");
                    }
                    if (p.type() == null) {
                        found.add("must be one of string, number, integer, boolean, select, file", "parameters", i, "type");
                        continue;
                    }
                    if (p.label() != null && p.label().length() > 255) {
                        found.add("must be at most 255 characters", "parameters", i, "label");
                    }
                    if (p.min() != null && p.max() != null && p.min() > p.max()) {
                        found.add("must not be greater than max", "parameters", i, "min");
                    }
                    if (p.type() == ParameterType.SELECT && (p.options() == null || p.options().isEmpty())) {
                        found.add("a select parameter needs at least one option", "parameters", i, "options");
                    }
                    if (p.defaultValue() != null && !p.defaultValue().isNull() && p.type() != ParameterType.FILE) {
                        String problem = ParameterValidator.check(p, p.defaultValue(), new UUID(0, 0));
                        if (problem != null) {
                            found.add(problem, "parameters", i, "default");
                        }
                    }
                    if (graph != null) {
                        target(found, i, p, tool, graph);
                    }
                }
            }

            private static void target(Problems found, int i, ParameterDef p, String tool, JsonNode graph) {
                switch (tool) {
                    case "comfyui" -> {
                        if (p.nodeId() == null || p.field() == null) {
                            found.add("a ComfyUI parameter needs node_id and field", "parameters", i, "node_id");
                            return;
                        }
                        JsonNode node = graph.get(p.nodeId());
                        if (node == null || !node.isObject()) {
                            found.add("node " + p.nodeId() + " is not in workflow_json", "parameters", i, "node_id");
                        } else if (!node.path("inputs").has(p.field())) {
                            found.add("node " + p.nodeId() + " has no input " + p.field(), "parameters", i, "field");
                        }
                    }
                    case "nerfstudio" -> {
                        if (p.targetPath() == null || p.targetPath().isBlank()) {
                            found.add("a Nerfstudio parameter needs target_path", "parameters", i, "target_path");
                            return;
                        }
                        JsonNode cursor = graph;
                        for (String part : p.targetPath().split("\\.")) {
                            cursor = cursor == null ? null : cursor.get(part);
                        }
                        if (cursor == null) {
                            found.add(p.targetPath() + " is not in workflow_json", "parameters", i, "target_path");
                        }
                    }
                    default -> {
                        // exec passes parameters as environment variables and {{key}} placeholders: no target to check.
                    }
                }
            }
        }
    }

    /** The violations a class-level validator adds, each on the property it is about (messages hold client values, escaped). */
    private static final class Problems {
        private final ConstraintValidatorContext context;
        private boolean any;

        Problems(ConstraintValidatorContext context) {
            this.context = context;
            context.disableDefaultConstraintViolation();
        }

        /** A violation at {@code property}, or at {@code property[index]} and its {@code child} when they are given. */
        void add(String message, String property, Integer index, String child) {
            any = true;
            var builder = context.buildConstraintViolationWithTemplate(escaped(message));
            if (index == null) {
                builder.addPropertyNode(property).addPropertyNode(child).addConstraintViolation();
            } else if (child == null) {
                builder.addPropertyNode(property).addBeanNode().inIterable().atIndex(index).addConstraintViolation();
            } else {
                builder.addPropertyNode(property).addPropertyNode(child).inIterable().atIndex(index).addConstraintViolation();
            }
        }

        boolean none() {
            return !any;
        }

        /** A template reads \ { } $ as its own syntax; a message quoting the client's values must not. */
        private static String escaped(String message) {
            return message.replaceAll("([\\\\{}$])", "\\\\$1");
        }
    }
}
