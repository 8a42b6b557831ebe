package io.cyberun.contracts.files;

import java.time.Instant;
import java.util.Map;

/** A presigned upload of a run's input file: what task-service asks file-service for, and what the caller gets. */
public final class InputUpload {
    private InputUpload() {
    }

    /** The file to upload: its name, exact size and media type. */
    public record Request(String fileName, Long fileSize, String contentType) {
    }

    /** Where to PUT it (with every header), and the key to pass as the file parameter's value. */
    public record Presigned(String fileKey, String uploadUrl, Map<String, String> uploadHeaders, Instant expiresAt) {
    }
}
