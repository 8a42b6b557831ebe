package io.cyberun.file.storage;

import io.cyberun.file.config.StorageConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Creates missing buckets at start, so a fresh store works without manual steps. */
@ApplicationScoped
public class BucketSetup {
    private static final Logger LOG = Logger.getLogger(BucketSetup.class);

    void onStart(@Observes StartupEvent start, ObjectStore store, StorageConfig config) {
        if (!config.createBuckets()) {
            return;
        }
        for (String bucket : store.buckets()) {
            try {
                store.client().headBucket(b -> b.bucket(bucket));
            } catch (NoSuchBucketException e) {
                create(store, bucket);
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    create(store, bucket);
                } else {
                    LOG.warnf("cannot check bucket %s (%s); readiness will report it", bucket, e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.warnf("object store unreachable while checking bucket %s: %s; readiness will report it", bucket, e.getMessage());
            }
        }
    }

    /**
     * Puts the retention rules on the buckets where the store supports lifecycle configuration: inputs expire after
     * a day, outputs after the output retention, incomplete multipart uploads are aborted after a day. Stores without
     * it (S3Proxy) answer with an error; the scheduled cleanup then does the same work.
     */
    void lifecycle(@Observes StartupEvent start, ObjectStore store, StorageConfig config) {
        int outputDays = (int) Math.max(1, config.outputRetention().toDays());
        try {
            rules(store, config.buckets().inputs(), 1);
            rules(store, config.buckets().outputs(), outputDays);
            rules(store, config.buckets().models(), 0);
            LOG.infof("lifecycle rules set: inputs 1 day, outputs %d days, incomplete uploads 1 day", outputDays);
        } catch (S3Exception e) {
            LOG.infof("the object store does not take lifecycle rules (%s); the scheduled cleanup applies retention", e.awsErrorDetails() == null
                    ? e.getMessage() : e.awsErrorDetails().errorCode());
        } catch (RuntimeException e) {
            LOG.warnf("could not set lifecycle rules (%s); the scheduled cleanup applies retention", e.getMessage());
        }
    }

    /** {@code expireDays} 0: only abort incomplete uploads (models are kept until deleted). */
    private static void rules(ObjectStore store, String bucket, int expireDays) {
        var rule = software.amazon.awssdk.services.s3.model.LifecycleRule.builder().id("cyberun-retention")
                .status(software.amazon.awssdk.services.s3.model.ExpirationStatus.ENABLED)
                .filter(f -> f.prefix("teams/"))
                .abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(1));
        if (expireDays > 0) {
            rule.expiration(e -> e.days(expireDays));
        }
        store.client().putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(rule.build())));
    }

    private static void create(ObjectStore store, String bucket) {
        try {
            store.client().createBucket(b -> b.bucket(bucket));
            LOG.infof("created bucket %s", bucket);
        } catch (BucketAlreadyOwnedByYouException e) {
            // another replica created it first
        }
    }
}
