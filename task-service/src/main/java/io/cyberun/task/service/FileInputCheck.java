package io.cyberun.task.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.files.InputDescriptions;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import io.cyberun.task.client.FileServiceClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Checks the file parameters of a run against file-service: each must name an input the caller's team was issued,
 * that was actually uploaded, has not expired, and has a type the parameter accepts.
 */
@ApplicationScoped
public class FileInputCheck {
    private final FileServiceClient files;

    public FileInputCheck(@RestClient FileServiceClient files) {
        this.files = files;
    }

    /** Problems with the file parameters among the resolved values (none when there are no file parameters). */
    public Uni<List<FieldError>> problems(List<ParameterDef> defs, JsonNode resolved) {
        Map<String, ParameterDef> byKey = new LinkedHashMap<>();
        Map<String, String> keys = new LinkedHashMap<>();
        for (ParameterDef def : defs) {
            JsonNode value = resolved == null ? null : resolved.get(def.key());
            if (def.type() == ParameterType.FILE && value != null && value.isTextual()) {
                byKey.put(def.key(), def);
                keys.put(def.key(), value.textValue());
            }
        }
        if (keys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return files.describeInputs(new InputDescriptions.Request(List.copyOf(keys.values())))
                .onFailure().transform(e -> new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE,
                        "file parameters cannot be checked right now (file-service did not answer); try again shortly"))
                .map(result -> {
                    Map<String, InputDescriptions.Input> known = new LinkedHashMap<>();
                    result.inputs().forEach(i -> known.put(i.storageKey(), i));
                    List<FieldError> errors = new ArrayList<>();
                    keys.forEach((param, key) -> {
                        InputDescriptions.Input input = known.get(key);
                        String field = "parameters." + param;
                        if (input == null) {
                            errors.add(new FieldError(field, "is not an input this team uploaded (or it expired after a day); "
                                    + "get a file_key from POST /api/v1/r/files/presign and upload the file"));
                        } else if (!input.uploaded()) {
                            errors.add(new FieldError(field, "was presigned but never uploaded: PUT the file to its upload_url first"));
                        } else if (!ParameterDef.accepts(byKey.get(param).accept(), input.contentType(), input.fileName())) {
                            errors.add(new FieldError(field, "is " + input.contentType() + "; this parameter accepts "
                                    + String.join(", ", byKey.get(param).accept())));
                        }
                    });
                    return errors;
                });
    }
}
