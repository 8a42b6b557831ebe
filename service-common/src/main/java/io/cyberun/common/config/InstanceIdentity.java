package io.cyberun.common.config;

import io.quarkus.runtime.annotations.StaticInitSafe;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Who this process is: service name plus instance id, e.g. {@code agent-hub/7f3a91c2}. */
@ApplicationScoped
public class InstanceIdentity {
    private final String serviceName;
    private final String instanceId;

    public InstanceIdentity(@ConfigProperty(name = "quarkus.application.name") String serviceName, CyberunConfig config) {
        this.serviceName = serviceName;
        this.instanceId = config.instanceId().filter(s -> !s.isBlank())
                .orElseGet(() -> UUID.randomUUID().toString().substring(0, 8));
    }

    public String serviceName() {
        return serviceName;
    }

    public String instanceId() {
        return instanceId;
    }

    /** The CloudEvents {@code source} of events this process emits. */
    public String eventSource() {
        return "cyberun/" + serviceName + "/" + instanceId;
    }
}
