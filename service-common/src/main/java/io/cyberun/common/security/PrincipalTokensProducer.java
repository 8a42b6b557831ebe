package io.cyberun.common.security;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.config.InstanceIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** Builds the principal token signer/verifier from the keys in the configuration. */
@ApplicationScoped
public class PrincipalTokensProducer {

    @Produces
    @ApplicationScoped
    PrincipalTokens principalTokens(CyberunConfig config, InstanceIdentity identity) {
        var keys = config.principal();
        return keys.privateKey().filter(k -> !k.isBlank())
                .map(priv -> PrincipalTokens.signing(priv, keys.publicKey(), identity.serviceName(), Clock.systemUTC()))
                .orElseGet(() -> PrincipalTokens.verifying(keys.publicKey(), Clock.systemUTC()));
    }

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
