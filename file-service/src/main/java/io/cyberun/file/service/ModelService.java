package io.cyberun.file.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.files.ModelManifest;
import io.cyberun.file.config.StorageConfig;
import io.cyberun.file.model.Model;
import io.cyberun.file.repository.ModelRepository;
import io.cyberun.file.storage.ObjectStore;
import io.cyberun.file.storage.StorageKeys;
import io.cyberun.file.validation.Uploads;
import io.cyberun.file.validation.Uploads.FileHash;
import io.cyberun.file.validation.Uploads.ModelPath;
import io.cyberun.file.validation.Uploads.ModelType;
import io.cyberun.file.validation.Uploads.TeamModelKey;
import io.cyberun.file.validation.Uploads.UploadSize;
import io.cyberun.file.validation.Uploads.UploadSize.Upload;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Model files of a team: presigned upload, registration (the stored object's size and sha256 are checked against
 * what the caller declares), metadata edits, and the sync manifest agents download the active ones from.
 */
@ApplicationScoped
public class ModelService {
    static final Set<String> STATUSES = Set.of(Model.ACTIVE, Model.DISABLED);
    static final Set<String> EDITABLE = Set.of("display_name", "model_type", "model_path", "model_status");
    static final String DISPLAY_NAME = "must be 1-255 characters";

    private final ModelRepository models;
    private final ObjectStore store;
    private final StorageConfig config;
    private final Clock clock;

    public ModelService(ModelRepository models, ObjectStore store, StorageConfig config, Clock clock) {
        this.models = models;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    public record Presigned(String uploadUrl, String storageKey, java.util.Map<String, String> uploadHeaders, Instant expiresAt) {
    }

    /** What {@code POST /api/v1/models} takes: checked by its constraints before any work (the object itself is then read). */
    public record Registration(@NotBlank(message = DISPLAY_NAME) @Size(max = 255, message = DISPLAY_NAME) String displayName,
                               @ModelType String modelType, @ModelPath String modelPath, @TeamModelKey String storageKey,
                               @UploadSize(Upload.REGISTERED_MODEL) Long fileSize, @FileHash String fileHash) {
    }

    public record Page(List<Model> items, long total) {
    }

    /** A presigned PUT for a new model file; the request's fields are checked by the resource's constraints. */
    public Presigned presign(UUID teamId, String fileName, Long fileSize) {
        String key = StorageKeys.model(teamId, UUID.randomUUID(), InputService.safe(fileName));
        ObjectStore.PresignedUpload put = store.presignPut(config.buckets().models(), key, fileSize, "application/octet-stream", true);
        return new Presigned(put.url(), key, put.headers(), put.expiresAt());
    }

    /**
     * Registers an uploaded file. The object is read once to compute its sha256 (on a worker thread, outside any
     * transaction); only then is the record written, so a refused registration writes nothing.
     */
    public Uni<Model> register(UUID teamId, Registration r) {
        String hash = r.fileHash().toLowerCase(Locale.ROOT);
        // Checked before the (long) read of the object, and again in the transaction that writes the record.
        // The object is read on a worker thread; the transaction then runs back on this request's event loop.
        return Panache.withSession(() -> free(teamId, r))
                .flatMap(ok -> Blocking.call(() -> verify(r.storageKey(), r.fileSize(), hash)))
                .flatMap(v -> Panache.withTransaction(() -> free(teamId, r)
                        .flatMap(ok -> {
                            Instant now = clock.instant();
                            Model m = new Model();
                            m.id = UUID.randomUUID();
                            m.teamId = teamId;
                            m.displayName = r.displayName().strip();
                            m.modelType = r.modelType();
                            m.modelPath = r.modelPath();
                            m.storageKey = r.storageKey();
                            m.fileSize = r.fileSize();
                            m.fileHash = hash;
                            m.modelStatus = Model.ACTIVE;
                            m.createdAt = now;
                            m.updatedAt = now;
                            return models.persist(m);
                        })));
    }

    @WithSession
    public Uni<Model> get(UUID teamId, UUID id) {
        return models.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("model"));
    }

    @WithSession
    public Uni<Page> list(UUID teamId, String status, int page, int perPage) {
        return models.page(teamId, status, page, perPage).flatMap(items -> models.countInTeam(teamId, status).map(total -> new Page(items, total)));
    }

    /** Changes the metadata the patch names; the bytes never change. */
    @WithTransaction
    public Uni<Model> update(UUID teamId, UUID id, JsonNode patch) {
        List<FieldError> errors = new ArrayList<>();
        patch.fieldNames().forEachRemaining(f -> {
            if (!EDITABLE.contains(f)) {
                errors.add(new FieldError(f, "is not editable (editable: display_name, model_type, model_path, model_status)"));
            }
        });
        String displayName = text(patch, "display_name", errors);
        String type = text(patch, "model_type", errors);
        String path = text(patch, "model_path", errors);
        String status = text(patch, "model_status", errors);
        if (displayName != null && (displayName.isBlank() || displayName.length() > 255)) {
            errors.add(new FieldError("display_name", DISPLAY_NAME));
        }
        if (status != null && !STATUSES.contains(status)) {
            errors.add(new FieldError("model_status", "must be active or disabled"));
        }
        return models.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("model")).flatMap(m -> {
            String newType = type == null ? m.modelType : type;
            String newPath = path == null ? m.modelPath : path;
            if (!Uploads.matches(ModelType.COMPILED, newType)) {
                errors.add(new FieldError("model_type", ModelType.MESSAGE));
            }
            if (!Uploads.matches(ModelPath.COMPILED, newPath)) {
                errors.add(new FieldError("model_path", ModelPath.MESSAGE));
            }
            if (!errors.isEmpty()) {
                return Uni.createFrom().failure(ApiException.invalid("model update is invalid", errors));
            }
            return conflicts(teamId, newType, newPath, m.id).map(ok -> {
                m.displayName = displayName == null ? m.displayName : displayName.strip();
                m.modelType = newType;
                m.modelPath = newPath;
                m.modelStatus = status == null ? m.modelStatus : status;
                m.updatedAt = clock.instant();
                return m;
            });
        });
    }

    /** Deletes the record, then the object (agents drop it at their next sync). */
    public Uni<Void> delete(UUID teamId, UUID id) {
        return Panache.withTransaction(() -> models.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("model"))
                        .call(models::delete))
                .flatMap(m -> Blocking.call(() -> {
                    store.client().deleteObject(b -> b.bucket(config.buckets().models()).key(m.storageKey));
                    return (Void) null;
                }));
    }

    /** The team's active models with fresh download URLs, for its agents. */
    @WithSession
    public Uni<ModelManifest> manifest(UUID teamId) {
        return models.active(teamId).map(list -> new ModelManifest(list.stream().map(m -> new ModelManifest.Entry(m.id, m.name(), m.modelType,
                m.modelPath, m.fileSize, m.fileHash, store.presignGet(config.buckets().models(), m.storageKey))).toList(), store.downloadExpiry()));
    }

    private Uni<Boolean> free(UUID teamId, Registration r) {
        return conflicts(teamId, r.modelType(), r.modelPath(), null).call(() -> models.withKey(r.storageKey()).invoke(taken -> {
            if (taken != null) {
                throw new ApiException(ErrorCode.CONFLICT, "this upload is already registered as model " + taken.id);
            }
        }));
    }

    private Uni<Boolean> conflicts(UUID teamId, String type, String path, UUID self) {
        return models.atPlace(teamId, type, path).map(other -> {
            if (other != null && !other.id.equals(self)) {
                throw new ApiException(ErrorCode.CONFLICT, "model " + other.id + " is already registered at " + type + "/" + path);
            }
            return true;
        });
    }

    private static String text(JsonNode patch, String field, List<FieldError> errors) {
        JsonNode v = patch.get(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return v.asText();
    }

    /** Checks the stored object against the declared size and hash (blocking: reads the whole object). */
    private Void verify(String key, long size, String hash) {
        String bucket = config.buckets().models();
        HeadObjectResponse head;
        try {
            head = store.client().headObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw notUploaded();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw notUploaded();
            }
            throw e;
        }
        if (head.contentLength() != size) {
            throw ApiException.invalid("the uploaded file does not match", List.of(new FieldError("file_size",
                    "the uploaded object has " + head.contentLength() + " bytes, not " + size)));
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = store.client().getObject(b -> b.bucket(bucket).key(key))) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(hash)) {
            throw ApiException.invalid("the uploaded file does not match", List.of(new FieldError("file_hash",
                    "the uploaded object's hash is " + actual)));
        }
        return null;
    }

    private static ApiException notUploaded() {
        return ApiException.invalid("nothing was uploaded at this key", List.of(new FieldError("storage_key",
                "upload the file to the presigned URL first")));
    }
}
