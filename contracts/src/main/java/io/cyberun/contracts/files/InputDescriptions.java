package io.cyberun.contracts.files;

import java.time.Instant;
import java.util.List;

/** task-service → file-service: what is known of uploaded inputs, for checking file parameters of a run. */
public final class InputDescriptions {
    private InputDescriptions() {
    }

    public record Request(List<String> storageKeys) {
    }

    /** The inputs file-service issued to the caller's team; keys it did not issue are left out. */
    public record Result(List<Input> inputs) {
    }

    /**
     * @param uploaded whether the object is in the store (a presigned key may never have been used)
     */
    public record Input(String storageKey, String fileName, String contentType, long fileSize, boolean uploaded, Instant expiresAt) {
    }
}
