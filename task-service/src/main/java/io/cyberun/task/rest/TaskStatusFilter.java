package io.cyberun.task.rest;

import io.cyberun.contracts.task.TaskStatus;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A task list's {@code status} filter: a task state's wire name ({@link TaskStatus#fromWire}); absent or blank lists all. */
@Documented
@Constraint(validatedBy = TaskStatusFilter.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface TaskStatusFilter {
    String message() default "must be one of pending, waiting, provisioning, queued, running, completed, failed, cancelled";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<TaskStatusFilter, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || value.isBlank() || TaskStatus.fromWire(value) != null;
        }
    }
}
