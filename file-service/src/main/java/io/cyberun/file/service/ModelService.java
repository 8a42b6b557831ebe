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
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
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
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Model files of a team: presigned upload, registration (the stored object's size and sha256 are checked against
 * what the caller declares), metadata edits, and the sync manifest agents download the active ones from.
 */
@ApplicationScoped
public class ModelService {
    /** Section 8 of the API notes: relative, no {@code ..}, no backslash. */
    static final Pattern MODEL_PATH = Pattern.compile("^(?!/)(?!.*\\.\\.)(?!.*\\\\)[\\w./ -]+$");
    static final Pattern MODEL_TYPE = Pattern.compile("^[A-Za-z0-9_-]{1,50}$");
    static final Pattern FILE_HASH = Pattern.compile("^sha256:[0-9a-f]{64}$");
    static final Set<String> STATUSES = Set.of(Model.ACTIVE, Model.DISABLED);
    static final Set<String> EDITABLE = Set.of("display_name", "model_type", "model_path", "model_status");

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

    public record Registration(String displayName, String modelType, String modelPath, String storageKey, Long fileSize, String fileHash) {
    }

    public record Page(List<Model> items, long total) {
    }

    public Presigned presign(UUID teamId, String fileName, Long fileSize, String modelType, String modelPath) {
        List<FieldError> errors = new ArrayList<>();
        InputService.checkFileName(fileName, errors);
        checkSize(fileSize, config.maxModelSize(), errors);
        checkPlace(modelType, modelPath, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid("model upload request is invalid", errors);
        }
        String key = StorageKeys.model(teamId, UUID.randomUUID(), InputService.safe(fileName));
        ObjectStore.PresignedUpload put = store.presignPut(config.buckets().models(), key, fileSize, "application/octet-stream", true);
        return new Presigned(put.url(), key, put.headers(), put.expiresAt());
    }

    /**
     * Registers an uploaded file. The object is read once to compute its sha256 (on a worker thread, outside any
     * transaction); only then is the record written, so a refused registration writes nothing.
     */
    public Uni<Model> register(UUID teamId, Registration r) {
        List<FieldError> errors = new ArrayList<>();
        if (r.displayName() == null || r.displayName().isBlank() || r.displayName().length() > 255) {
            errors.add(new FieldError("display_name", "must be 1-255 characters"));
        }
        checkPlace(r.modelType(), r.modelPath(), errors);
        checkSize(r.fileSize(), config.maxMultipartModelSize(), errors);
        String hash = r.fileHash() == null ? null : r.fileHash().toLowerCase(Locale.ROOT);
        if (hash == null || !FILE_HASH.matcher(hash).matches()) {
            errors.add(new FieldError("file_hash", "must be sha256:<64 hex digits>"));
        }
        if (StorageKeys.kindOf(teamId, r.storageKey()).orElse(null) != StorageKeys.Kind.MODEL) {
            errors.add(new FieldError("storage_key", "must be a key returned by POST /api/v1/models/presign for this team"));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiException.invalid("model registration is invalid", errors));
        }
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
        if (status != null && !STATUSES.contains(status)) {
            return Uni.createFrom().failure(ApiException.invalid("invalid filter",
                    List.of(new FieldError("model_status", "must be active or disabled"))));
        }
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
            errors.add(new FieldError("display_name", "must be 1-255 characters"));
        }
        if (status != null && !STATUSES.contains(status)) {
            errors.add(new FieldError("model_status", "must be active or disabled"));
        }
        return models.findInTeam(teamId, id).onItem().ifNull().failWith(() -> ApiException.notFound("model")).flatMap(m -> {
            String newType = type == null ? m.modelType : type;
            String newPath = path == null ? m.modelPath : path;
            checkPlace(newType, newPath, errors);
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

    /** Presign takes up to one PUT's limit (larger models go up in parts); registration up to the multipart limit. */
    private static void checkSize(Long fileSize, long limit, List<FieldError> errors) {
        if (fileSize == null || fileSize < 1) {
            errors.add(new FieldError("file_size", "must be the file's exact size in bytes (1 or more)"));
        } else if (fileSize > limit) {
            errors.add(new FieldError("file_size", "is larger than the " + limit + " byte limit"
                    + " (larger models: POST /api/v1/uploads/multipart/initiate with kind model)"));
        }
    }

    private static void checkPlace(String modelType, String modelPath, List<FieldError> errors) {
        if (modelType == null || !MODEL_TYPE.matcher(modelType).matches()) {
            errors.add(new FieldError("model_type", "must be 1-50 letters, digits, _ or - (a ComfyUI models folder such as checkpoints)"));
        }
        if (modelPath == null || modelPath.length() > 1024 || !MODEL_PATH.matcher(modelPath).matches() || modelPath.endsWith("/")
                || modelPath.contains("//")) {
            errors.add(new FieldError("model_path", "must be a relative file path without .., backslashes or a leading /"));
        }
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
