package io.cyberun.task.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.task.domain.WorkflowConstraints.Coherent;
import io.cyberun.task.domain.WorkflowConstraints.JsonObject;
import io.cyberun.task.domain.WorkflowConstraints.Label;
import io.cyberun.task.domain.WorkflowConstraints.ModelReference;
import io.cyberun.task.domain.WorkflowConstraints.Slug;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A workflow as clients import or update it (all fields of the API's import schema), with the constraints it must
 * meet before it is stored: each field's own, and {@link Coherent} for the rules between fields.
 */
@Coherent
public record WorkflowDefinition(
        @Slug String workflowSlug,
        @NotBlank(message = DISPLAY_NAME) @Size(max = 255, message = DISPLAY_NAME) String displayName,
        @Size(max = 2000, message = "must be at most 2000 characters") String description,
        @Pattern(regexp = WorkflowConstraints.TOOL_TYPES, message = "must be one of comfyui, nerfstudio, exec") String toolType,
        @JsonObject JsonNode workflowJson,
        @Size(max = WorkflowConstraints.MAX_PARAMETERS, message = "at most " + WorkflowConstraints.MAX_PARAMETERS + " parameters")
        List<ParameterDef> parameters,
        @Size(max = WorkflowConstraints.MAX_LABELS, message = "at most " + WorkflowConstraints.MAX_LABELS + " labels")
        List<@Label String> requiredLabels,
        @Min(value = 0, message = TASK_TIMEOUT) @Max(value = WorkflowConstraints.MAX_TASK_TIMEOUT, message = TASK_TIMEOUT) Integer taskTimeout,
        @Min(value = 0, message = MAX_RETRIES) @Max(value = WorkflowConstraints.MAX_RETRIES, message = MAX_RETRIES) Integer maxRetries,
        List<@ModelReference String> requiredModels,
        @Min(value = 0, message = MIN_VRAM) @Max(value = 1024, message = MIN_VRAM) Integer minVramGb,
        @Size(max = 100, message = "must be at most 100 characters") String preferredGpu,
        String defaultDispatchTarget,
        @Pattern(regexp = "active|disabled", message = "must be active or disabled") String workflowStatus,
        String snapshotNote) {
    static final String DISPLAY_NAME = "must be 1-255 characters";
    static final String TASK_TIMEOUT = "must be between 0 and " + WorkflowConstraints.MAX_TASK_TIMEOUT;
    static final String MAX_RETRIES = "must be between 0 and " + WorkflowConstraints.MAX_RETRIES;
    static final String MIN_VRAM = "must be between 0 and 1024";
}
