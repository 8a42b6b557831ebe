package io.cyberun.file.service;

import io.cyberun.file.config.StorageConfig;
import io.cyberun.file.model.InputUpload;
import io.cyberun.file.repository.InputUploadRepository;
import io.cyberun.file.storage.ObjectStore;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Retention where the store has no lifecycle rules (S3Proxy has none): deletes expired inputs (object and record),
 * task outputs older than the output retention, and aborts multipart uploads left incomplete. Every replica may
 * run it; deleting what is already gone is harmless.
 */
@ApplicationScoped
public class StorageCleanup {
    private static final Logger LOG = Logger.getLogger(StorageCleanup.class);
    static final int BATCH = 500;

    private final InputUploadRepository inputs;
    private final MultipartService multipart;
    private final ObjectStore store;
    private final StorageConfig config;
    private final Clock clock;

    public StorageCleanup(InputUploadRepository inputs, MultipartService multipart, ObjectStore store, StorageConfig config, Clock clock) {
        this.inputs = inputs;
        this.multipart = multipart;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    /** What one run removed. */
    public record Removed(int inputs, int outputs, int uploads) {
    }

    @Scheduled(every = "${cyberun.storage.cleanup-every:1h}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return run().invoke(r -> {
            if (r.inputs() + r.outputs() + r.uploads() > 0) {
                LOG.infof("storage cleanup: %d expired inputs, %d outputs past retention, %d incomplete uploads removed", r.inputs(), r.outputs(),
                        r.uploads());
            }
        }).onFailure().invoke(e -> LOG.warnf("storage cleanup failed (it runs again later): %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    public Uni<Removed> run() {
        return expiredInputs().flatMap(in -> oldOutputs().flatMap(out -> multipart.abortExpired().map(up -> new Removed(in, out, up))));
    }

    Uni<Integer> expiredInputs() {
        Instant now = clock.instant();
        return Panache.withSession(() -> inputs.find("expiresAt < ?1", now).page(0, BATCH).list()).flatMap(expired -> expired.isEmpty()
                ? Uni.createFrom().item(0)
                : Blocking.call(() -> {
                    deleteObjects(config.buckets().inputs(), expired.stream().map(i -> i.storageKey).toList());
                    return expired;
                }).flatMap(done -> Panache.withTransaction(() -> inputs.delete("storageKey in ?1",
                        done.stream().map((InputUpload i) -> i.storageKey).toList())).map(Long::intValue)));
    }

    Uni<Integer> oldOutputs() {
        Instant cutoff = clock.instant().minus(config.outputRetention());
        return Blocking.call(() -> {
            String bucket = config.buckets().outputs();
            List<String> old = store.client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix("teams/")).contents().stream()
                    .filter(o -> o.lastModified() != null && o.lastModified().isBefore(cutoff))
                    .map(S3Object::key).limit(BATCH).toList();
            deleteObjects(bucket, old);
            return old.size();
        });
    }

    private void deleteObjects(String bucket, List<String> keys) {
        for (String key : keys) {
            store.client().deleteObject(b -> b.bucket(bucket).key(key));
        }
    }
}
