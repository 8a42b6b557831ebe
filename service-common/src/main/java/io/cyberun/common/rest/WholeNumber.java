package io.cyberun.common.rest;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A query parameter that must be a whole number from {@code min} to {@code max}, taken as text: a typed parameter that
 * does not parse is JAX-RS's bare 404, this is a 400 naming it. Absent or blank passes (the parameter's default
 * applies); {@link QueryParams} reads the value once it passed.
 */
@Documented
@Constraint(validatedBy = WholeNumber.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface WholeNumber {
    long min() default 0;

    long max() default Long.MAX_VALUE;

    String message() default "must be a whole number from {min} to {max}";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<WholeNumber, String> {
        private long min;
        private long max;

        @Override
        public void initialize(WholeNumber constraint) {
            min = constraint.min();
            max = constraint.max();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null || value.isBlank()) {
                return true;
            }
            try {
                long n = Long.parseLong(value.strip());
                return n >= min && n <= max;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }
}
