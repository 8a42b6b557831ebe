package io.cyberun.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cyberun.contracts.agent.GpuDevice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The labels an agent derives from its tools and hardware, after the configured ones. */
class AgentLabelsTests {

    static GpuDevice gpu(String name) {
        return new GpuDevice(name, "cuda", 24L << 30, 20L << 30);
    }

    @Test
    void gpuModelsBecomeShortLabels() {
        assertThat(AgentLabels.model("NVIDIA GeForce RTX 4090")).isEqualTo("gpu-rtx-4090");
        assertThat(AgentLabels.model("NVIDIA RTX A6000")).isEqualTo("gpu-rtx-a6000");
        assertThat(AgentLabels.model("Tesla T4")).isEqualTo("gpu-t4");
        assertThat(AgentLabels.model("NVIDIA H100 80GB HBM3")).isEqualTo("gpu-h100-80gb-hbm3");
        assertThat(AgentLabels.model("NVIDIA A100-SXM4-80GB")).isEqualTo("gpu-a100-sxm4-80gb");
        assertThat(AgentLabels.model("cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync")).isEqualTo("gpu-rtx-4090");
        assertThat(AgentLabels.model("NVIDIA")).isNull();
        assertThat(AgentLabels.model("x".repeat(100))).hasSizeLessThanOrEqualTo(64);
    }

    @Test
    void configuredLabelsComeFirstThenToolsThenTheHardware() {
        assertThat(AgentLabels.derive(List.of("team-a", "gpu"), List.of("comfyui", "exec"), List.of(gpu("NVIDIA GeForce RTX 4090"),
                gpu("NVIDIA GeForce RTX 4090"), gpu("NVIDIA RTX A6000"))))
                .containsExactly("team-a", "gpu", "comfyui", "exec", "gpu-rtx-4090", "gpu-rtx-a6000");
        assertThat(AgentLabels.derive(List.of(), List.of("exec"), List.of())).containsExactly("exec", "cpu");
        // A GPU nothing reports (no nvidia-smi) but the configuration names: no "cpu" beside it.
        assertThat(AgentLabels.derive(List.of("gpu"), List.of("exec"), List.of())).containsExactly("gpu", "exec");
    }

    @Test
    void everyDerivedLabelIsOneTheHubAccepts() {
        List<String> labels = AgentLabels.derive(List.of(), List.of("nerfstudio"), List.of(gpu("NVIDIA GeForce RTX 3090 Ti (24 GB)")));
        assertThat(labels).allMatch(l -> l.matches("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")).contains("gpu-rtx-3090-ti-24-gb");
    }
}
