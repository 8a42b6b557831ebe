package io.cyberun.gateway.validation;

import io.cyberun.contracts.auth.Role;
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

/** A role a member can be given directly: admin, member or viewer (ownership moves only by transfer). Null passes. */
@Documented
@Constraint(validatedBy = AssignableRole.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface AssignableRole {
    String MESSAGE = "must be admin, member or viewer";

    String message() default MESSAGE;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<AssignableRole, String> {
        /** The role a value names (any case, trimmed), or null. */
        public static Role parse(String value) {
            return Role.fromWire(value == null ? null : value.strip().toLowerCase(Locale.ROOT));
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            Role role = parse(value);
            if (role == Role.OWNER) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate("must be admin, member or viewer; ownership moves only by POST "
                        + "/api/v1/teams/current/transfer").addConstraintViolation();
                return false;
            }
            return role != null;
        }
    }
}
