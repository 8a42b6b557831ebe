package io.cyberun.gateway.validation;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A name people read (a team, a device): 1 to {@value #MAX} characters once trimmed. Null passes (add @NotNull where required). */
@Documented
@Constraint(validatedBy = DisplayText.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface DisplayText {
    int MAX = 100;

    String message() default "must be 1-" + MAX + " characters";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<DisplayText, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || (!value.isBlank() && value.strip().length() <= MAX);
        }
    }
}
