package io.cyberun.contracts.files;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The team's active models as agents sync them: each with a presigned GET valid until {@code expiresAt}. An entry's
 * {@code name} ({@code <model_type>/<model_path>}) is what workflows list in {@code required_models} and where the
 * file lands under the agent's models directory.
 */
public record ModelManifest(List<Entry> models, Instant expiresAt) {
    public ModelManifest {
        models = models == null ? List.of() : List.copyOf(models);
    }

    public record Entry(UUID modelId, String name, String modelType, String modelPath, long fileSize, String fileHash, String url) {
    }
}
