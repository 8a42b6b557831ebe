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
import java.util.Locale;

/**
 * The code a device shows for pairing, as a person types it: 8 characters once dashes and spaces are dropped, in any
 * case ({@code ab7k-pnq3}). Null fails: the code is what a confirmation is about.
 */
@Documented
@Constraint(validatedBy = UserCode.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface UserCode {
    int LENGTH = 8;

    String message() default "must be the 8-character code the device shows, e.g. AB7K-PNQ3";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<UserCode, String> {
        /** The code as the gateway stores it: without dashes and spaces, upper case. */
        public static String normalize(String typed) {
            return typed.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value != null && normalize(value).length() == LENGTH;
        }
    }
}
