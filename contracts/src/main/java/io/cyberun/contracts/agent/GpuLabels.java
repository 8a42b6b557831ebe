package io.cyberun.contracts.agent;

import java.util.Locale;
import java.util.Set;

/**
 * One GPU model as one label, the same from any spelling: "NVIDIA GeForce RTX 4090" (nvidia-smi), "cuda:0 NVIDIA
 * GeForce RTX 4090 : cudaMallocAsync" (ComfyUI's system_stats) and a workflow's {@code preferred_gpu} "RTX_4090" are all
 * {@code gpu-rtx-4090}. Agents announce it; the scheduler matches {@code preferred_gpu} against it.
 */
public final class GpuLabels {
    private static final Set<String> BRAND = Set.of("nvidia", "geforce", "tesla", "quadro", "corporation");
    static final int MAX_LENGTH = 64;

    private GpuLabels() {
    }

    /** The model's label, or null when the name says nothing. */
    public static String of(String name) {
        if (name == null) {
            return null;
        }
        String model = name.replaceFirst("^\\s*cuda:\\d+\\s+", "").replaceFirst("\\s+:\\s+.*$", "").replaceFirst("(?i)^gpu[-_ ]", "");
        StringBuilder label = new StringBuilder("gpu");
        for (String word : model.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!word.isEmpty() && !BRAND.contains(word)) {
                label.append('-').append(word);
            }
        }
        String l = label.toString();
        return l.equals("gpu") ? null : l.length() > MAX_LENGTH ? l.substring(0, MAX_LENGTH).replaceAll("-$", "") : l;
    }
}
