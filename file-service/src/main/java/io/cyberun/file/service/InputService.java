package io.cyberun.file.service;

import io.cyberun.contracts.files.InputDescriptions;
import io.cyberun.file.config.StorageConfig;
import io.cyberun.file.model.InputUpload;
import io.cyberun.file.repository.InputUploadRepository;
import io.cyberun.file.storage.ObjectStore;
import io.cyberun.file.storage.StorageKeys;
import io.cyberun.file.validation.Uploads.FileName;
import io.cyberun.file.validation.Uploads.MediaType;
import io.cyberun.file.validation.Uploads.UploadSize;
import io.cyberun.file.validation.Uploads.UploadSize.Upload;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Input files clients upload for file parameters. A presign issues a key under the team's prefix and records it;
 * the PUT's signature binds the exact size, the type and {@code If-None-Match: *} (so a key is written once).
 * Inputs live one day.
 */
@ApplicationScoped
public class InputService {
    public static final Duration LIFETIME = Duration.ofDays(1);

    private final InputUploadRepository inputs;
    private final ObjectStore store;
    private final StorageConfig config;
    private final Clock clock;

    public InputService(InputUploadRepository inputs, ObjectStore store, StorageConfig config, Clock clock) {
        this.inputs = inputs;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    public record Presigned(String fileKey, String uploadUrl, java.util.Map<String, String> uploadHeaders, Instant expiresAt) {
    }

    /** A presigned PUT for an input; the arguments are checked by their constraints (a 400 naming each bad field). */
    @WithTransaction
    public Uni<Presigned> presign(UUID teamId, @FileName String fileName, @UploadSize(Upload.INPUT) Long fileSize, @MediaType String contentType) {
        Instant now = clock.instant();
        InputUpload upload = new InputUpload();
        upload.storageKey = StorageKeys.input(teamId, UUID.randomUUID(), safe(fileName));
        upload.teamId = teamId;
        upload.fileName = fileName;
        upload.fileSize = fileSize;
        upload.contentType = contentType;
        upload.createdAt = now;
        upload.expiresAt = now.plus(LIFETIME);
        ObjectStore.PresignedUpload put = store.presignPut(config.buckets().inputs(), upload.storageKey, fileSize, contentType, true);
        return inputs.persist(upload).replaceWith(new Presigned(upload.storageKey, put.url(), put.headers(), put.expiresAt()));
    }

    /**
     * What is known of these keys for the team: issued ones only, with whether the object arrived. The rows are
     * read in a session on the event loop; the store is then asked (blocking calls) on a worker, outside it.
     */
    public Uni<InputDescriptions.Result> describe(UUID teamId, List<String> keys) {
        Instant now = clock.instant();
        return Panache.withSession(() -> inputs.inTeam(teamId, keys)).flatMap(rows -> Uni.createFrom().item(() -> rows.stream()
                        .filter(r -> r.expiresAt.isAfter(now))
                        .map(r -> new InputDescriptions.Input(r.storageKey, r.fileName, r.contentType, r.fileSize, exists(r.storageKey), r.expiresAt))
                        .toList())
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .map(InputDescriptions.Result::new);
    }

    private boolean exists(String key) {
        try {
            store.client().headObject(b -> b.bucket(config.buckets().inputs()).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** The name as it goes into the key: letters, digits, dot, dash and underscore. */
    static String safe(String fileName) {
        String s = fileName.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.startsWith(".") ? "_" + s : s;
    }
}
