package io.cyberun.file.health;

import io.cyberun.file.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the object store answers for every bucket. */
@Readiness
@ApplicationScoped
public class BucketsReadiness implements HealthCheck {
    private final ObjectStore store;

    public BucketsReadiness(ObjectStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Object storage buckets").up();
        for (String bucket : store.buckets()) {
            try {
                store.client().headBucket(b -> b.bucket(bucket));
                response.withData(bucket, "UP");
            } catch (RuntimeException e) {
                response.down().withData(bucket, "DOWN: " + e.getMessage());
            }
        }
        return response.build();
    }
}
