package io.cyberun.task.webhook;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A new webhook, as {@code POST /api/v1/webhooks} takes it. The URL's shape, scheme and address (DNS included) are
 * checked by {@link WebhookUrls} once the fields are valid: that check resolves the host, so it is not a constraint.
 */
public record NewWebhook(
        @NotBlank(message = "is required (1-255 characters)") @Size(max = 255, message = "must be at most 255 characters") String displayName,
        @NotBlank(message = "is required: the https URL to deliver to") String webhookUrl,
        @NotEmpty(message = "must list at least one event: task.completed, task.failed") List<@WebhookEvent String> webhookEvents) {
}
