package io.cyberun.file.service;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.file.config.StorageConfig;
import io.cyberun.file.model.InputUpload;
import io.cyberun.file.model.MultipartUpload;
import io.cyberun.file.repository.InputUploadRepository;
import io.cyberun.file.repository.MultipartUploadRepository;
import io.cyberun.file.storage.ObjectStore;
import io.cyberun.file.storage.StorageKeys;
import io.cyberun.file.validation.Uploads;
import io.cyberun.file.validation.Uploads.FileName;
import io.cyberun.file.validation.Uploads.MediaType;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Multipart uploads for files too large for one PUT (inputs up to the input limit, models up to the model limit).
 * Initiate fixes the part size and count; each part URL binds that part's exact length; complete checks that every
 * part arrived with its size and ETag before S3 assembles the object. Uploads not completed within a day are aborted
 * by the cleanup.
 */
@ApplicationScoped
public class MultipartService {
    /** S3's smallest part (except the last), its largest, and most parts. */
    static final long MIN_PART_SIZE = 5L << 20;
    static final long MAX_PART_SIZE = 5L << 30;
    static final long DEFAULT_PART_SIZE = 100L << 20;
    static final int MAX_PARTS = 10_000;
    static final int MAX_PART_URLS = 1000;
    public static final Duration LIFETIME = Duration.ofDays(1);

    private final MultipartUploadRepository uploads;
    private final InputUploadRepository inputs;
    private final ObjectStore store;
    private final StorageConfig config;
    private final Clock clock;

    public MultipartService(MultipartUploadRepository uploads, InputUploadRepository inputs, ObjectStore store, StorageConfig config,
                            Clock clock) {
        this.uploads = uploads;
        this.inputs = inputs;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Either {@code storage_key} (a key a presign endpoint gave the team, as the product documents) or
     * {@code file_name} with {@code kind}; {@code part_size} is optional (default 100 MiB, at least 5 MiB).
     */
    public record Initiate(String fileName, Long fileSize, String contentType, String kind, String storageKey, Long partSize) {
    }

    public record Initiated(String uploadId, String storageKey, long partSize, int partCount, Instant expiresAt) {
    }

    public record PartUrl(int partNumber, String uploadUrl, Map<String, String> uploadHeaders, long size) {
    }

    public record PartUrls(List<PartUrl> parts) {
    }

    public record CompletedPartRef(Integer partNumber, String etag) {
    }

    public record Completed(String storageKey, long fileSize, String contentType) {
    }

    public Uni<Initiated> initiate(UUID teamId, Initiate r) {
        List<FieldError> errors = new ArrayList<>();
        String givenKey = r.storageKey();
        String kind = r.kind() == null ? MultipartUpload.INPUT : r.kind();
        String fileName = r.fileName();
        if (givenKey != null) {
            StorageKeys.Kind k = StorageKeys.kindOf(teamId, givenKey).orElse(null);
            if (k != StorageKeys.Kind.INPUT && k != StorageKeys.Kind.MODEL || givenKey.endsWith("/")) {
                return Uni.createFrom().failure(ApiException.invalid("multipart upload request is invalid", List.of(new FieldError("storage_key",
                        "must be a key returned to this team by POST /api/v1/r/files/presign or /api/v1/models/presign"))));
            }
            kind = k == StorageKeys.Kind.MODEL ? MultipartUpload.MODEL : MultipartUpload.INPUT;
            fileName = givenKey.substring(givenKey.lastIndexOf('/') + 1);
        }
        if (!kind.equals(MultipartUpload.INPUT) && !kind.equals(MultipartUpload.MODEL)) {
            errors.add(new FieldError("kind", "must be input or model"));
        }
        if (!Uploads.matches(FileName.COMPILED, fileName)) {
            errors.add(new FieldError("file_name", FileName.MESSAGE));
        }
        long limit = MultipartUpload.MODEL.equals(kind) ? config.maxMultipartModelSize() : config.maxMultipartInputSize();
        if (r.fileSize() == null || r.fileSize() < 1) {
            errors.add(new FieldError("file_size", "must be the file's exact size in bytes (1 or more)"));
        } else if (r.fileSize() > limit) {
            errors.add(new FieldError("file_size", "is larger than the " + limit + " byte limit of " + (kind.equals("model") ? "a model" : "an input")));
        }
        String contentType = r.contentType() == null ? "application/octet-stream" : r.contentType();
        if (!Uploads.matches(MediaType.COMPILED, contentType)) {
            errors.add(new FieldError("content_type", MediaType.MESSAGE));
        }
        if (r.partSize() != null && (r.partSize() < MIN_PART_SIZE || r.partSize() > MAX_PART_SIZE)) {
            errors.add(new FieldError("part_size", "must be between " + MIN_PART_SIZE + " and " + MAX_PART_SIZE + " bytes"));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiException.invalid("multipart upload request is invalid", errors));
        }
        long size = r.fileSize();
        long partSize = Math.max(r.partSize() == null ? DEFAULT_PART_SIZE : r.partSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
        int partCount = (int) Math.max(1, (size + partSize - 1) / partSize);
        String name = InputService.safe(fileName);
        String uploadKind = kind;
        String key = givenKey != null ? givenKey : MultipartUpload.MODEL.equals(kind) ? StorageKeys.model(teamId, UUID.randomUUID(), name)
                : StorageKeys.input(teamId, UUID.randomUUID(), name);
        String uploadName = fileName;
        String bucket = bucket(kind);
        return Blocking.call(() -> store.client().createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType)).uploadId())
                .flatMap(uploadId -> {
                    Instant now = clock.instant();
                    MultipartUpload u = new MultipartUpload();
                    u.uploadId = uploadId;
                    u.teamId = teamId;
                    u.kind = uploadKind;
                    u.storageKey = key;
                    u.fileName = uploadName;
                    u.fileSize = size;
                    u.contentType = contentType;
                    u.partSize = partSize;
                    u.partCount = partCount;
                    u.createdAt = now;
                    u.expiresAt = now.plus(LIFETIME);
                    return Panache.withTransaction(() -> uploads.persist(u))
                            .map(saved -> new Initiated(uploadId, key, partSize, partCount, u.expiresAt));
                });
    }

    /** Presigned PUTs for the given parts (all of them when none are named, up to 1,000 per request). */
    public Uni<PartUrls> partUrls(UUID teamId, String uploadId, List<Integer> numbers) {
        return Panache.withSession(() -> find(teamId, uploadId)).map(u -> {
            List<Integer> wanted = numbers == null || numbers.isEmpty()
                    ? java.util.stream.IntStream.rangeClosed(1, Math.min(u.partCount, MAX_PART_URLS)).boxed().toList() : numbers;
            List<FieldError> errors = new ArrayList<>();
            if (wanted.size() > MAX_PART_URLS) {
                errors.add(new FieldError("part_numbers", "at most " + MAX_PART_URLS + " per request"));
            }
            for (Integer n : wanted) {
                if (n == null || n < 1 || n > u.partCount) {
                    errors.add(new FieldError("part_numbers", "must be between 1 and " + u.partCount));
                    break;
                }
            }
            if (!errors.isEmpty()) {
                throw ApiException.invalid("invalid part numbers", errors);
            }
            List<PartUrl> parts = wanted.stream().map(n -> {
                ObjectStore.PresignedUpload put = store.presignUploadPart(bucket(u.kind), u.storageKey, uploadId, n, u.sizeOf(n));
                return new PartUrl(n, put.url(), put.headers(), u.sizeOf(n));
            }).toList();
            return new PartUrls(parts);
        });
    }

    /**
     * Checks every part against what the store holds (number, size, ETag when given) and assembles the object. An
     * input becomes usable by runs like a presigned one; a model still has to be registered.
     */
    public Uni<Completed> complete(UUID teamId, String uploadId, List<CompletedPartRef> given) {
        return Panache.withSession(() -> find(teamId, uploadId)).flatMap(u -> Blocking.call(() -> {
            Map<Integer, Part> stored = storedParts(u);
            Map<Integer, String> etags = new HashMap<>();
            if (given != null) {
                given.forEach(p -> {
                    if (p != null && p.partNumber() != null) {
                        etags.put(p.partNumber(), p.etag());
                    }
                });
            }
            List<FieldError> errors = new ArrayList<>();
            List<CompletedPart> parts = new ArrayList<>();
            for (int n = 1; n <= u.partCount; n++) {
                Part part = stored.get(n);
                if (part == null) {
                    errors.add(new FieldError("parts[" + n + "]", "part " + n + " was not uploaded"));
                    continue;
                }
                if (part.size() != u.sizeOf(n)) {
                    errors.add(new FieldError("parts[" + n + "]", "part " + n + " has " + part.size() + " bytes, not " + u.sizeOf(n)));
                }
                String expected = etags.get(n);
                if (expected != null && !unquote(expected).equals(unquote(part.eTag()))) {
                    errors.add(new FieldError("parts[" + n + "]", "part " + n + "'s ETag does not match the uploaded part"));
                }
                parts.add(CompletedPart.builder().partNumber(n).eTag(part.eTag()).build());
            }
            if (stored.keySet().stream().anyMatch(n -> n > u.partCount)) {
                errors.add(new FieldError("parts", "parts beyond part " + u.partCount + " were uploaded"));
            }
            if (!errors.isEmpty()) {
                throw ApiException.invalid("the upload is not complete", errors);
            }
            store.client().completeMultipartUpload(b -> b.bucket(bucket(u.kind)).key(u.storageKey).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            return u;
        })).flatMap(u -> Panache.withTransaction(() -> uploads.deleteById(uploadId).flatMap(deleted -> {
            if (!MultipartUpload.INPUT.equals(u.kind)) {
                return Uni.createFrom().voidItem();
            }
            return inputs.findById(u.storageKey).flatMap(existing -> {
            InputUpload input = existing != null ? existing : new InputUpload();
            input.storageKey = u.storageKey;
            input.teamId = u.teamId;
            input.fileName = u.fileName;
            input.fileSize = u.fileSize;
            input.contentType = u.contentType;
            input.createdAt = clock.instant();
            input.expiresAt = input.createdAt.plus(InputService.LIFETIME);
            return inputs.persist(input).replaceWithVoid();
            });
        })).map(v -> new Completed(u.storageKey, u.fileSize, u.contentType)));
    }

    /** Stops an upload and frees its parts. */
    public Uni<Void> abort(UUID teamId, String uploadId) {
        return Panache.withSession(() -> find(teamId, uploadId))
                .flatMap(u -> Blocking.call(() -> abortInStore(u)))
                .flatMap(v -> Panache.withTransaction(() -> uploads.deleteById(uploadId)))
                .replaceWithVoid();
    }

    /** Aborts uploads left incomplete past their lifetime; returns how many. */
    public Uni<Integer> abortExpired() {
        return Panache.withSession(() -> uploads.expiredBefore(clock.instant(), 100)).flatMap(expired -> expired.isEmpty()
                ? Uni.createFrom().item(0)
                : Blocking.call(() -> {
                    expired.forEach(this::abortInStore);
                    return expired;
                }).flatMap(done -> Panache.withTransaction(() -> uploads.delete("uploadId in ?1",
                        done.stream().map(u -> u.uploadId).toList())).map(Long::intValue)));
    }

    private Void abortInStore(MultipartUpload u) {
        try {
            store.client().abortMultipartUpload(b -> b.bucket(bucket(u.kind)).key(u.storageKey).uploadId(u.uploadId));
        } catch (NoSuchUploadException e) {
            // already gone
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        return null;
    }

    private Map<Integer, Part> storedParts(MultipartUpload u) {
        Map<Integer, Part> parts = new HashMap<>();
        Integer marker = null;
        while (true) {
            Integer from = marker;
            ListPartsResponse page;
            try {
                page = store.client().listParts(b -> b.bucket(bucket(u.kind)).key(u.storageKey).uploadId(u.uploadId).partNumberMarker(from));
            } catch (NoSuchUploadException e) {
                throw ApiException.notFound("upload");
            }
            page.parts().forEach(p -> parts.put(p.partNumber(), p));
            if (!Boolean.TRUE.equals(page.isTruncated()) || Objects.equals(page.nextPartNumberMarker(), from)) {
                return parts;
            }
            marker = page.nextPartNumberMarker();
        }
    }

    private Uni<MultipartUpload> find(UUID teamId, String uploadId) {
        return uploads.findInTeam(teamId, uploadId).onItem().ifNull().failWith(() -> ApiException.notFound("upload"));
    }

    private String bucket(String kind) {
        return MultipartUpload.MODEL.equals(kind) ? config.buckets().models() : config.buckets().inputs();
    }

    private static String unquote(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }
}
