package io.cyberun.testing;

/**
 * Where the test servers are and how to reach them as an administrator.
 *
 * @param pgHost          PostgreSQL host; tests create their databases as {@code pgAdminUser}
 * @param oidcRealmUrl    the Cyberun realm of the OIDC provider, e.g. {@code http://127.0.0.1:8180/realms/cyberun}
 * @param alicePassword   password of the realm's test user alice (bob has {@code bobPassword})
 */
public record Endpoints(
        String kafkaBootstrap,
        String pgHost,
        int pgPort,
        String pgAdminUser,
        String pgAdminPassword,
        String redisHost,
        int redisPort,
        String s3Endpoint,
        String s3AccessKey,
        String s3SecretKey,
        String oidcRealmUrl,
        String oidcClientSecret,
        String alicePassword,
        String bobPassword) {

    public String redisUrl() {
        return "redis://" + redisHost + ":" + redisPort;
    }

    public String pgReactiveUrl(String database) {
        return "postgresql://" + pgHost + ":" + pgPort + "/" + database;
    }

    public String pgJdbcUrl(String database) {
        return "jdbc:" + pgReactiveUrl(database);
    }
}
