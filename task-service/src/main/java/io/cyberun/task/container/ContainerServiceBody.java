package io.cyberun.task.container;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.validation.groups.Default;
import java.util.List;

/**
 * A container service definition as clients send it (create: the fields marked for {@link OnCreate} are required;
 * update: every field is optional, a missing one stays as it is). Each field's rule is declared where the field is;
 * rules across fields (an image for {@code deployed}, a URL for {@code external}) are checked by
 * {@link ContainerServices}.
 */
public record ContainerServiceBody(
        @NotNull(groups = OnCreate.class, message = "is required")
        @Pattern(regexp = SLUG, message = "must be 3-100 lowercase letters, digits and hyphens, starting and ending with a letter or digit")
        String serviceSlug,
        @Size(max = 255, message = "must be at most 255 characters") String displayName,
        @Size(max = 10_000, message = "must be at most 10000 characters") String serviceDesc,
        @Pattern(regexp = "deployed|external", message = "must be deployed or external") String serviceType,
        @Size(max = 500, message = "must be at most 500 characters")
        @Pattern(regexp = "[^\\s]+", message = "must be an image reference without spaces, e.g. vllm/vllm-openai:latest") String dockerImage,
        @Size(max = 2048, message = "must be at most 2048 characters")
        @Pattern(regexp = "https://[^\\s]+", message = "must be an https:// URL") String externalUrl,
        @Size(max = 255, message = "must be at most 255 characters") String externalAuthCredentialId,
        @Min(value = 1, message = "must be between 1 and 65535") @Max(value = 65535, message = "must be between 1 and 65535") Integer exposedPort,
        @Size(max = 500, message = "must be at most 500 characters")
        @Pattern(regexp = PATH, message = "must be a path starting with /, e.g. /health") String healthPath,
        @Size(max = 100, message = "must have at most 100 variables") List<@NotNull(message = "must not be null") @Valid EnvVar> envConfig,
        @Size(max = 50, message = "must have at most 50 volumes") List<@NotNull(message = "must not be null") @Valid Volume> volumeConfig,
        @Size(max = 50, message = "must have at most 50 labels")
        List<@NotBlank(message = "must not be blank") @Size(max = 100, message = "must be at most 100 characters") String> requiredLabels,
        @Min(value = -1, message = "must be -1 (every GPU), 0 (CPU only) or a number of GPUs up to 64")
        @Max(value = 64, message = "must be -1 (every GPU), 0 (CPU only) or a number of GPUs up to 64") Integer gpuCount,
        @Min(value = 1, message = "must be between 1 and 10") @Max(value = 10, message = "must be between 1 and 10") Integer replicaCount,
        @Size(max = 20_000, message = "must be at most 20000 characters") String usagePrompt,
        @Size(max = 2048, message = "must be at most 2048 characters")
        @Pattern(regexp = PATH, message = "must be a path on the container starting with /, e.g. /openapi.json") String openapiUrl) {

    static final String SLUG = "[a-z0-9][a-z0-9-]{1,98}[a-z0-9]";
    /** A path on the service: a leading slash, no scheme, no host, no spaces. */
    static final String PATH = "/(?!/)[^\\s]*";

    /** The rules that apply only when a service is created (required fields); the others apply too. */
    public interface OnCreate extends Default {
    }

    public record EnvVar(
            @NotBlank(message = "is required")
            @Pattern(regexp = "[A-Za-z_][A-Za-z0-9_]{0,127}", message = "must be a variable name: letters, digits and _, not starting with a digit")
            String envName,
            @NotNull(message = "is required") @Size(max = 10_000, message = "must be at most 10000 characters") String envValue) {
    }

    public record Volume(
            @NotBlank(message = "is required") @Pattern(regexp = "/[^\\s]*", message = "must be an absolute path") String hostPath,
            @NotBlank(message = "is required") @Pattern(regexp = "/[^\\s]*", message = "must be an absolute path") String containerPath) {
    }
}
