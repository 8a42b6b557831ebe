package io.cyberun.file.storage;

import io.cyberun.file.config.StorageConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Presigns object URLs for clients and agents, and reaches the store for bucket chores. */
@ApplicationScoped
public class ObjectStore {
    private final S3Client s3;
    private final S3Presigner presigner;
    private final StorageConfig config;
    private final Clock clock;

    public ObjectStore(S3Client s3, StorageConfig config, Clock clock) {
        this.s3 = s3;
        this.config = config;
        this.clock = clock;
        this.presigner = S3Presigner.builder()
                .endpointOverride(config.publicEndpoint().orElse(config.endpoint()))
                .region(Region.of(config.region()))
                // The client's own provider: static keys, or the default chain when none are configured.
                .credentialsProvider(s3.serviceClientConfiguration().credentialsProvider())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build())
                .build();
    }

    /** A presigned PUT: the client must send exactly {@code headers} (the signature binds them). */
    public record PresignedUpload(String url, Map<String, String> headers, Instant expiresAt) {
    }

    /**
     * Presigns a PUT of exactly {@code size} bytes. With {@code createOnly} the signature also binds
     * {@code If-None-Match: *}, so a second upload to the key fails with 412.
     */
    public PresignedUpload presignPut(String bucket, String key, long size, String contentType, boolean createOnly) {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key).contentLength(size).contentType(contentType);
        if (createOnly) {
            put.ifNoneMatch("*");
        }
        Duration lifetime = config.uploadUrlLifetime();
        return upload(presigner.presignPutObject(b -> b.signatureDuration(lifetime).putObjectRequest(put.build())));
    }

    /** Presigns the PUT of one part of a multipart upload; the signature binds the part's exact length. */
    public PresignedUpload presignUploadPart(String bucket, String key, String uploadId, int partNumber, long size) {
        return upload(presigner.presignUploadPart(b -> b.signatureDuration(config.uploadUrlLifetime())
                .uploadPartRequest(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber).contentLength(size))));
    }

    /** Presigns a GET valid for the configured download lifetime. */
    public String presignGet(String bucket, String key) {
        return presigner.presignGetObject(b -> b.signatureDuration(config.downloadUrlLifetime())
                .getObjectRequest(GetObjectRequest.builder().bucket(bucket).key(key).build())).url().toString();
    }

    public Instant downloadExpiry() {
        return clock.instant().plus(config.downloadUrlLifetime());
    }

    public List<String> buckets() {
        return List.of(config.buckets().inputs(), config.buckets().outputs(), config.buckets().models());
    }

    public String bucketFor(StorageKeys.Kind kind) {
        return switch (kind) {
            case INPUT -> config.buckets().inputs();
            case OUTPUT -> config.buckets().outputs();
            case MODEL -> config.buckets().models();
        };
    }

    public S3Client client() {
        return s3;
    }

    @PreDestroy
    void close() {
        presigner.close();
    }

    /** The URL and every signed header but Host (the client's HTTP library sets it), in their usual spelling. */
    private static PresignedUpload upload(software.amazon.awssdk.awscore.presigner.PresignedRequest presigned) {
        Map<String, String> headers = new LinkedHashMap<>();
        presigned.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                headers.put(canonical(name), String.join(",", values));
            }
        });
        return new PresignedUpload(presigned.url().toString(), headers, presigned.expiration());
    }

    private static String canonical(String header) {
        return switch (header.toLowerCase()) {
            case "content-length" -> "Content-Length";
            case "content-type" -> "Content-Type";
            case "if-none-match" -> "If-None-Match";
            default -> header;
        };
    }
}
