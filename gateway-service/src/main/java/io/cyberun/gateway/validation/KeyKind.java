package io.cyberun.gateway.validation;

import io.cyberun.contracts.auth.CredentialKind;
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
 * A kind of key the gateway stores, as a list's filter: a {@link CredentialKind} with a secret prefix (integration,
 * agent, device), surrounding spaces allowed. Absent or blank passes (no filter).
 */
@Documented
@Constraint(validatedBy = KeyKind.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface KeyKind {
    String message() default "must be integration, agent or device";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<KeyKind, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null || value.isBlank()) {
                return true;
            }
            CredentialKind kind = CredentialKind.fromWire(value.strip());
            return kind != null && kind.secretPrefix() != null;
        }
    }
}
