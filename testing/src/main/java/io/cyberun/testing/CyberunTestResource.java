package io.cyberun.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} service at this JVM's test namespace on the real servers (local or containers).
 * Args: {@code database} (the service's database name suffix: task, gateway, file), {@code storage=true} for
 * file-service's buckets, {@code gateway=true} for the gateway's OIDC realm and admin token.
 */
public class CyberunTestResource implements QuarkusTestResourceLifecycleManager {
    private String database;
    private boolean storage;
    private boolean gateway;

    @Override
    public void init(Map<String, String> args) {
        database = args.get("database");
        storage = Boolean.parseBoolean(args.get("storage"));
        gateway = Boolean.parseBoolean(args.get("gateway"));
    }

    @Override
    public Map<String, String> start() {
        CyberunTestContext ctx = CyberunTestContext.get();
        Map<String, String> config = ctx.namespace().serviceConfig(database);
        config.put("cyberun.principal.public-key", ctx.publicKey());
        config.put("cyberun.principal.private-key", ctx.privateKey());
        config.put("cyberun.instance-id", "test");
        if (storage) {
            config.putAll(ctx.namespace().storageConfig());
        }
        if (gateway) {
            config.putAll(ctx.namespace().oidcConfig());
            config.put("cyberun.gateway.admin-token", ctx.adminToken());
        }
        return config;
    }

    @Override
    public void stop() {
        // The namespace is removed when the JVM exits; other test classes may share it until then.
    }
}
