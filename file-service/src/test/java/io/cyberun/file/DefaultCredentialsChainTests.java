package io.cyberun.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.file.storage.ObjectStore;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.PresignedPut;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * With {@code cyberun.storage.credentials=default} (what the chart sets when no S3 keys Secret is named), the client
 * and the presigner take their identity from the AWS default credentials chain, as IRSA or an instance profile would
 * give it: here the chain's system properties, and the store (S3Proxy) accepts what they sign.
 */
@QuarkusTest
@TestProfile(DefaultCredentialsChainTests.DefaultChain.class)
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "file"), @ResourceArg(name = "storage", value = "true")})
class DefaultCredentialsChainTests {
    static final CyberunTestContext CTX = CyberunTestContext.get();

    public static class DefaultChain implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cyberun.storage.credentials", "default");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ChainProperties.class));
        }
    }

    /** The first link of the default chain: the aws.accessKeyId and aws.secretAccessKey system properties. */
    public static class ChainProperties implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            System.setProperty("aws.accessKeyId", CTX.endpoints().s3AccessKey());
            System.setProperty("aws.secretAccessKey", CTX.endpoints().s3SecretKey());
            return Map.of();
        }

        @Override
        public void stop() {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Inject
    ObjectStore store;

    @Test
    void theClientAndThePresignerSignWithTheDefaultChainAndTheStoreAcceptsIt() throws Exception {
        assertThat(store.client().serviceClientConfiguration().credentialsProvider()).as("no static keys configured")
                .isNotInstanceOf(StaticCredentialsProvider.class);
        String bucket = CTX.namespace().bucket("outputs");
        String key = "teams/" + UUID.randomUUID() + "/chain.txt";
        byte[] body = "signed by the chain".getBytes(StandardCharsets.UTF_8);
        ObjectStore.PresignedUpload put = store.presignPut(bucket, key, body.length, "text/plain", true);
        assertThat(put.url()).contains("X-Amz-Credential=" + CTX.endpoints().s3AccessKey() + "%2F");
        assertThat(PresignedPut.send(put.url(), put.headers(), body).statusCode()).isEqualTo(200);
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(store.presignGet(bucket, key))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("signed by the chain");
        assertThat(store.buckets()).as("the client reaches the store with the chain's identity").isNotEmpty();
    }
}
