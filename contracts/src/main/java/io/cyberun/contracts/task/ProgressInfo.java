package io.cyberun.contracts.task;

/**
 * How far a running task is.
 *
 * @param progress     0.0 to 1.0
 * @param currentNode  the ComfyUI node executing, when known
 * @param stage        Nerfstudio stage ({@code download}, {@code process_data}, {@code train}, {@code export},
 *                     {@code upload}) or a runtime's own stage name
 * @param message      free text for people
 */
public record ProgressInfo(double progress, String currentNode, Integer stepCurrent, Integer stepTotal,
                           String stage, String message) {
    public ProgressInfo {
        progress = Math.max(0.0, Math.min(1.0, Double.isNaN(progress) ? 0.0 : progress));
    }
}
