package io.cyberun.agent;

import io.cyberun.contracts.agent.GpuDevice;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The labels an agent announces: its configured {@code agent_labels}, then what it can tell about itself (API notes
 * §5.1, §5.3): the tools it runs ({@code comfyui}, {@code nerfstudio}, {@code exec}), {@code gpu} and one label per
 * GPU model ({@code gpu-rtx-4090} for "NVIDIA GeForce RTX 4090") when nvidia-smi reports GPUs, {@code cpu} otherwise.
 * A workflow's {@code required_labels} can then name a tool or a GPU model without anyone configuring it.
 */
public final class AgentLabels {
    /** The hub refuses more labels than this in a hello. */
    static final int MAX = 32;
    /** Vendor and brand words that say nothing about the model. */

    private AgentLabels() {
    }

    public static List<String> derive(List<String> configured, Collection<String> tools, List<GpuDevice> gpus) {
        Set<String> labels = new LinkedHashSet<>(configured);
        labels.addAll(tools);
        if (gpus == null || gpus.isEmpty()) {
            if (!labels.contains("gpu")) {
                labels.add("cpu"); // a configured "gpu" is trusted where nothing reports the GPU
            }
        } else {
            labels.add("gpu");
            for (GpuDevice gpu : gpus) {
                String model = model(gpu.deviceName());
                if (model != null) {
                    labels.add(model);
                }
            }
        }
        return labels.stream().limit(MAX).toList();
    }

    /**
     * "NVIDIA GeForce RTX 4090" (nvidia-smi) or "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync" (ComfyUI's
     * system_stats) → {@code gpu-rtx-4090}; null when the name says nothing.
     */
    static String model(String deviceName) {
        return io.cyberun.contracts.agent.GpuLabels.of(deviceName);
    }
}
