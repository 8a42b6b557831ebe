package io.cyberun.contracts.agent;

import java.util.List;

/** What an agent reports about its machine. */
public record SystemStats(String comfyuiVersion, String pytorchVersion, String osType, String platformArch,
                          List<GpuDevice> gpuDevices) {
    public SystemStats {
        gpuDevices = gpuDevices == null ? List.of() : List.copyOf(gpuDevices);
    }

    /** The largest VRAM of any GPU in GiB, or {@code null} when the agent reports none. */
    public Double maxVramGb() {
        return gpuDevices.stream().filter(g -> g.vramTotal() != null)
                .mapToDouble(g -> g.vramTotal() / (1024.0 * 1024 * 1024)).max().stream().boxed().findFirst()
                .orElse(null);
    }
}
