package io.cyberun.contracts.task;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One parameter of a workflow: the key callers use, its type and constraints, and where the value is
 * injected into the tool's definition ({@code node_id}/{@code field} for ComfyUI, {@code target_path} for
 * Nerfstudio).
 *
 * @param defaultValue the value used when an optional parameter is omitted (JSON name {@code default})
 * @param options      the values a {@code select} parameter offers
 * @param accept       content types (or {@code .ext} suffixes) a {@code file} parameter accepts
 */
public record ParameterDef(
        String key,
        ParameterType type,
        String label,
        String description,
        Boolean required,
        @JsonProperty("default") JsonNode defaultValue,
        Double min,
        Double max,
        List<String> options,
        List<String> accept,
        String nodeId,
        String field,
        String targetPath,
        String sourceKey) {

    public boolean isRequired() {
        return Boolean.TRUE.equals(required);
    }

    /**
     * Whether a file parameter with this {@code accept} list takes an upload: an entry is a media type
     * ({@code image/png}), a wildcard ({@code image/*}) or a name suffix ({@code .png}); no list accepts anything.
     */
    public static boolean accepts(List<String> accept, String contentType, String fileName) {
        if (accept == null || accept.isEmpty()) {
            return true;
        }
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT).split(";")[0].strip();
        String name = fileName == null ? "" : fileName.toLowerCase(java.util.Locale.ROOT);
        for (String a : accept) {
            String entry = a.toLowerCase(java.util.Locale.ROOT).strip();
            if (entry.startsWith(".") ? name.endsWith(entry)
                    : entry.endsWith("/*") ? type.startsWith(entry.substring(0, entry.length() - 1)) : type.equals(entry)) {
                return true;
            }
        }
        return false;
    }
}
