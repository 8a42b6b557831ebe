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

/** A kind of key a member can issue: integration or agent (device keys come only from pairing). Null passes. */
@Documented
@Constraint(validatedBy = IssuableKind.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface IssuableKind {
    String message() default "must be integration or agent";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<IssuableKind, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            CredentialKind kind = CredentialKind.fromWire(value);
            if (kind == CredentialKind.DEVICE) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate("device keys come only from device pairing (/api/v1/desktop/pair)")
                        .addConstraintViolation();
                return false;
            }
            return kind == CredentialKind.INTEGRATION || kind == CredentialKind.AGENT;
        }
    }
}
