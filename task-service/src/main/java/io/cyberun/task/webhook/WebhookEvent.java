package io.cyberun.task.webhook;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** One of the events a webhook can subscribe to ({@link WebhookService#EVENTS}). */
@Documented
@Constraint(validatedBy = WebhookEvent.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface WebhookEvent {
    String message() default "has an unknown event; the events are task.completed and task.failed";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<WebhookEvent, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value != null && WebhookService.EVENTS.contains(value);
        }
    }
}
