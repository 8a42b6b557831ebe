package io.cyberun.agent;

import io.cyberun.contracts.agent.GpuDevice;
import io.cyberun.contracts.agent.SystemStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What the agent tells the hub about its machine: OS, architecture, and GPUs through nvidia-smi when there. */
public final class SystemProbe {
    private SystemProbe() {
    }

    public static SystemStats probe() {
        return new SystemStats(null, null, System.getProperty("os.name"), platformArch(), gpus());
    }

    static String platformArch() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux") ? "linux"
                : System.getProperty("os.name", "").toLowerCase(Locale.ROOT).replace(' ', '-');
        String arch = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> System.getProperty("os.arch", "unknown");
        };
        return os + "/" + arch;
    }

    /** GPUs from {@code nvidia-smi}; none when it is missing or fails. VRAM in bytes. */
    static List<GpuDevice> gpus() {
        List<GpuDevice> devices = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits")
                    .redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    return devices;
                }
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.split(",");
                    if (f.length >= 3) {
                        devices.add(new GpuDevice(f[0].strip(), "cuda", mib(f[1]), mib(f[2])));
                    }
                }
            }
        } catch (Exception e) {
            // no NVIDIA GPU (or no driver): the agent reports none
        }
        return devices;
    }

    private static Long mib(String value) {
        try {
            return Long.parseLong(value.strip()) * 1024 * 1024;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
