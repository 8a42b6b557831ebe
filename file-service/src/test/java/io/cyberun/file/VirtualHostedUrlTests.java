package io.cyberun.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.file.storage.ObjectStore;
import io.cyberun.testing.CyberunTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With {@code cyberun.storage.path-style=false} (the chart's default, for AWS S3), presigned URLs name the bucket in
 * the host, under the public endpoint: {@code https://<bucket>.<public host>/<key>}.
 */
@QuarkusTest
@TestProfile(VirtualHostedUrlTests.VirtualHosted.class)
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "file"), @ResourceArg(name = "storage", value = "true")})
class VirtualHostedUrlTests {

    public static class VirtualHosted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cyberun.storage.path-style", "false", "cyberun.storage.public-endpoint", "https://s3.eu-west-1.amazonaws.com",
                    "cyberun.storage.create-buckets", "false");
        }
    }

    @Inject
    ObjectStore store;

    @Test
    void presignedUrlsAreVirtualHosted() {
        URI get = URI.create(store.presignGet("cyberun-outputs", "teams/t/out.png"));
        assertThat(get.getHost()).isEqualTo("cyberun-outputs.s3.eu-west-1.amazonaws.com");
        assertThat(get.getPath()).isEqualTo("/teams/t/out.png");
        URI put = URI.create(store.presignPut("cyberun-inputs", "teams/t/in.bin", 3, "application/octet-stream", false).url());
        assertThat(put.getHost()).isEqualTo("cyberun-inputs.s3.eu-west-1.amazonaws.com");
        assertThat(put.getScheme()).isEqualTo("https");
    }
}
