package io.cyberun.file.validation;

import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.file.config.StorageConfig;
import io.cyberun.file.storage.StorageKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
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

/**
 * The Bean Validation constraints of upload and model requests. Each one also refuses {@code null}: every field they
 * mark is required. The pattern ones are composed of {@code @NotNull} and {@code @Pattern}, reported as one violation
 * with their own message; {@link #matches} applies them to the requests still read by hand (a model's changes, a
 * multipart upload, whose limit depends on another field).
 */
public final class Uploads {
    private Uploads() {
    }

    /** Whether {@code value} is present and matches a pattern constraint's {@code COMPILED} form of its {@code REGEX}. */
    public static boolean matches(java.util.regex.Pattern pattern, String value) {
        return value != null && pattern.matcher(value).matches();
    }

    /** A file name as clients give it: 1-255 characters, none of them /, \ or a control, and not . or .. */
    @Documented
    @NotNull
    @Pattern(regexp = FileName.REGEX)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface FileName {
        String REGEX = "^(?!\\.{1,2}$)[^/\\\\\\x00-\\x1f]{1,255}$";
        java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(REGEX);
        String MESSAGE = "must be 1-255 characters without / or \\";
        /** The message as a template, whose escape character is the backslash. */
        String TEMPLATE = "must be 1-255 characters without / or \\\\";

        String message() default TEMPLATE;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A media type such as image/png. */
    @Documented
    @NotNull
    @Pattern(regexp = MediaType.REGEX)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface MediaType {
        String REGEX = "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$";
        java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(REGEX);
        String MESSAGE = "must be a media type such as image/png";

        String message() default MESSAGE;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A ComfyUI models folder such as checkpoints: 1-50 letters, digits, _ or -. */
    @Documented
    @NotNull
    @Pattern(regexp = ModelType.REGEX)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface ModelType {
        String REGEX = "^[A-Za-z0-9_-]{1,50}$";
        java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(REGEX);
        String MESSAGE = "must be 1-50 letters, digits, _ or - (a ComfyUI models folder such as checkpoints)";

        String message() default MESSAGE;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** Where a model goes in its folder (section 8 of the API notes): a relative file path, no {@code ..}, {@code //}, backslash or trailing /. */
    @Documented
    @NotNull
    @Pattern(regexp = ModelPath.REGEX)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface ModelPath {
        String REGEX = "^(?!/)(?!.*\\.\\.)(?!.*\\\\)(?!.*//)(?!.*/$)[\\w./ -]{1,1024}$";
        java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(REGEX);
        String MESSAGE = "must be a relative file path without .., backslashes or a leading /";

        String message() default MESSAGE;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A file's SHA-256 as {@code sha256:<64 hex digits>} (either case). */
    @Documented
    @NotNull
    @Pattern(regexp = FileHash.REGEX, flags = Pattern.Flag.CASE_INSENSITIVE)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface FileHash {
        String REGEX = "^sha256:[0-9a-f]{64}$";
        String MESSAGE = "must be sha256:<64 hex digits>";

        String message() default MESSAGE;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A file's exact size in bytes: 1 or more, and within the configured limit of this kind of upload. */
    @Documented
    @Constraint(validatedBy = UploadSize.Validator.class)
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface UploadSize {
        Upload value();

        String message() default "must be the file's exact size in bytes (1 or more)";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        /** The uploads with a size limit of their own, and what the refusal says beyond it. */
        enum Upload {
            /** One presigned PUT of an input. */
            INPUT(" of a single upload"),
            /** One presigned PUT of a model. */
            MODEL(" (larger models: POST /api/v1/uploads/multipart/initiate with kind model)"),
            /** A model registered after its upload, which may have come in parts. */
            REGISTERED_MODEL(" (larger models: POST /api/v1/uploads/multipart/initiate with kind model)");

            final String beyond;

            Upload(String beyond) {
                this.beyond = beyond;
            }

            long limit(StorageConfig config) {
                return switch (this) {
                    case INPUT -> config.maxFileSize();
                    case MODEL -> config.maxModelSize();
                    case REGISTERED_MODEL -> config.maxMultipartModelSize();
                };
            }
        }

        @Dependent // one per use: it keeps the annotation's upload kind
        class Validator implements ConstraintValidator<UploadSize, Long> {
            /** Looked up when a value is checked: validators are made at static init, before the runtime configuration. */
            private final Instance<StorageConfig> config;
            private Upload upload;

            public Validator(Instance<StorageConfig> config) {
                this.config = config;
            }

            @Override
            public void initialize(UploadSize annotation) {
                this.upload = annotation.value();
            }

            @Override
            public boolean isValid(Long value, ConstraintValidatorContext context) {
                if (value == null || value < 1) {
                    return false;
                }
                long limit = upload.limit(config.get());
                if (value <= limit) {
                    return true;
                }
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate("is larger than the " + limit + " byte limit" + upload.beyond).addConstraintViolation();
                return false;
            }
        }
    }

    /** A model's storage key as POST /api/v1/models/presign gave it to the caller's team. */
    @Documented
    @Constraint(validatedBy = TeamModelKey.Validator.class)
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface TeamModelKey {
        String message() default "must be a key returned by POST /api/v1/models/presign for this team";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        @ApplicationScoped
        class Validator implements ConstraintValidator<TeamModelKey, String> {
            private final CurrentPrincipal principal;

            public Validator(CurrentPrincipal principal) {
                this.principal = principal;
            }

            @Override
            public boolean isValid(String value, ConstraintValidatorContext context) {
                return StorageKeys.kindOf(principal.teamId(), value).orElse(null) == StorageKeys.Kind.MODEL;
            }
        }
    }
}
