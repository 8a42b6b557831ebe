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

    private static void create(ObjectStore store, String bucket) {
        try {
            store.client().createBucket(b -> b.bucket(bucket));
            LOG.infof("created bucket %s", bucket);
        } catch (BucketAlreadyOwnedByYouException e) {
            // another replica created it first
        }
    }
}
