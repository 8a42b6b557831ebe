package io.cyberun.common.config;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Tracing is off by default; setting the one variable {@code CYBERUN_OTEL_ENDPOINT} (an OTLP gRPC endpoint such
 * as {@code http://collector:4317}) turns it on, for HTTP and the Kafka channels, and points every span and trace
 * header at that collector.
 */
public class OtelSwitch implements ConfigSource {
    static final String ENDPOINT_VARIABLE = "CYBERUN_OTEL_ENDPOINT";
    /** Off by default (microprofile-config.properties): the Kafka channels' span decorators cost CPU on every record. */
    static final String KAFKA_TRACING = "mp.messaging.connector.smallrye-kafka.tracing-enabled";
    private final Map<String, String> properties;

    public OtelSwitch() {
        this(System.getenv(ENDPOINT_VARIABLE));
    }

    OtelSwitch(String endpoint) {
        this.properties = endpoint == null || endpoint.isBlank()
                ? Map.of()
                : Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.exporter.otlp.endpoint", endpoint.strip(),
                        KAFKA_TRACING, "true");
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "cyberun-otel-switch";
    }

    /** Above application.properties (250), below environment variables (300). */
    @Override
    public int getOrdinal() {
        return 290;
    }
}
