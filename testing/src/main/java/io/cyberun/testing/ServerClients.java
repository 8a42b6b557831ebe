package io.cyberun.testing;

import java.net.URI;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Clients of the shared test servers, for creating and removing a namespace's parts. */
final class ServerClients {
    private ServerClients() {
    }

    /** An admin client of the test Kafka broker. */
    static Admin kafkaAdmin(Endpoints endpoints) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(props);
    }

    /** An S3 client of the test object store (path-style, as S3Proxy wants). */
    static S3Client s3(Endpoints endpoints) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoints.s3Endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(endpoints.s3AccessKey(), endpoints.s3SecretKey())))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    /** Deletes a bucket and everything in it; one already gone is fine. */
    static void emptyAndDelete(S3Client s3, String bucket) {
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
            }
            s3.deleteBucket(b -> b.bucket(bucket));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            // already gone
        }
    }
}
