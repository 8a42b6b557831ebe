package io.cyberun.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** Settings every Cyberun service shares. */
@ConfigMapping(prefix = "cyberun")
public interface CyberunConfig {

    /** This process's name in logs, events and Redis routing; defaults to a random id per start. */
    Optional<String> instanceId();

    Kafka kafka();

    Redis redis();

    Principal principal();

    interface Redis {
        /** Put in front of every Redis key, so deployments (or test runs) can share one Redis. */
        @WithDefault("cyberun:")
        String keyPrefix();
    }

    interface Kafka {
        /**
         * Put in front of every topic and consumer group name, so several deployments (or test runs) can share
         * one Kafka cluster. Empty in a normal deployment.
         */
        Optional<String> topicPrefix();
    }

    interface Principal {
        /** Base64 X.509 Ed25519 public key that verifies principal tokens (env CYBERUN_PRINCIPAL_PUBLIC_KEY). */
        String publicKey();

        /** Base64 PKCS#8 Ed25519 private key: set only on the edges, gateway and agent-hub. */
        Optional<String> privateKey();

        /** Path prefixes whose requests must carry a valid principal token. */
        @WithDefault("/api/,/internal/")
        List<String> protectedPaths();
    }
}
