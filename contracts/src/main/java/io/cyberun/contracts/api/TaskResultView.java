package io.cyberun.contracts.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A task's result: {@code task_output} with freshly minted download URLs (one per output file, keyed by file
 * name, plus the first as {@code download_url}), or {@code task_error}. Every call mints new URLs.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TaskResultView(UUID id, String status, JsonNode taskOutput, String downloadUrl, Map<String, String> downloadUrls,
                             Instant expiresAt, String taskError, Instant completedAt) {
}
