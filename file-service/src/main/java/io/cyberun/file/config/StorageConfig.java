package io.cyberun.file.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Object storage settings of file-service. */
@ConfigMapping(prefix = "cyberun.storage")
public interface StorageConfig {

    /** The S3 endpoint file-service talks to (env S3_URL). */
    URI endpoint();

    /**
     * The S3 endpoint clients and agents reach, written into presigned URLs; defaults to {@link #endpoint()}.
     * Set it when the store is reached under another name from outside (a Kubernetes ingress).
     */
    Optional<URI> publicEndpoint();

    @WithDefault("us-east-1")
    String region();

    /**
     * Where the credentials come from (env S3_CREDENTIALS): {@code static} keys ({@link #accessKeyId()},
     * {@link #secretAccessKey()}), or the AWS {@code default} credentials chain (IRSA, instance profiles, AWS_*
     * variables). The presigner signs with the same provider as the client.
     */
    @WithDefault("static")
    String credentials();

    /** Access key id (env S3_ACCESS_KEY), with static credentials. */
    Optional<String> accessKeyId();

    /** Secret access key (env S3_SECRET_KEY), with static credentials. */
    Optional<String> secretAccessKey();

    /** Path-style URLs (endpoint/bucket/key, env S3_PATH_STYLE); false: virtual-hosted (bucket.endpoint/key). */
    @WithDefault("true")
    boolean pathStyle();

    Buckets buckets();

    /** How long a download URL works; each result request mints new ones. */
    @WithDefault("PT1H")
    Duration downloadUrlLifetime();

    /** How long an upload URL works. */
    @WithDefault("PT15M")
    Duration uploadUrlLifetime();

    /** Largest file one presigned PUT may carry, in bytes (inputs; default 500 MB). */
    @WithDefault("524288000")
    long maxFileSize();

    /** Largest output file an agent may upload in one PUT, in bytes (default 5 GiB, S3's single-PUT limit). */
    @WithDefault("5368709120")
    long maxOutputSize();

    /** Largest model file, in bytes (default 5 GiB: one presigned PUT). */
    @WithDefault("5368709120")
    long maxModelSize();

    /** Largest input uploaded in parts, in bytes (default 5 GiB; one PUT takes up to max-file-size). */
    @WithDefault("5368709120")
    long maxMultipartInputSize();

    /** Largest model file uploaded in parts, in bytes (default 50 GiB). */
    @WithDefault("53687091200")
    long maxMultipartModelSize();

    /** How long task outputs are kept (the cleanup deletes older ones). */
    @WithDefault("P7D")
    Duration outputRetention();

    /** How often the cleanup runs. */
    @WithDefault("1h")
    String cleanupEvery();

    /** Create missing buckets at start (the local stack's script creates them too). */
    @WithDefault("true")
    boolean createBuckets();

    interface Buckets {
        /** Inputs clients upload for file parameters; expire after a day. */
        @WithDefault("cyberun-inputs")
        String inputs();

        /** Task outputs; kept for the output retention. */
        @WithDefault("cyberun-outputs")
        String outputs();

        /** Model files synced to agents. */
        @WithDefault("cyberun-models")
        String models();
    }
}
