package io.cyberun.contracts.files;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Presigned PUT targets: send every header verbatim; the signature binds them. */
public record UploadTargets(List<Target> targets) {

    public record Target(String name, String storageKey, String url, Map<String, String> headers, Instant expiresAt) {
    }
}
