package io.cyberun.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OtelSwitchTests {
    @Test
    void tracingStaysOffWithoutTheEndpoint() {
        OtelSwitch off = new OtelSwitch(null);
        assertThat(off.getPropertyNames()).isEmpty();
        assertThat(new OtelSwitch("  ").getValue("quarkus.otel.sdk.disabled")).isNull();
    }

    @Test
    void oneEndpointTurnsTracingOnAndPointsTheExporterAtIt() {
        OtelSwitch on = new OtelSwitch("http://collector:4317");
        assertThat(on.getValue("quarkus.otel.sdk.disabled")).isEqualTo("false");
        assertThat(on.getValue("quarkus.otel.exporter.otlp.endpoint")).isEqualTo("http://collector:4317");
        assertThat(on.getValue(OtelSwitch.KAFKA_TRACING)).isEqualTo("true");
        assertThat(on.getOrdinal()).isBetween(251, 299);
    }
}
