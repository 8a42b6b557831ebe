package io.cyberun.contracts.task;

/**
 * A preview image a running task produced (a ComfyUI sampler's intermediate frame, an image an exec command wrote).
 * The image itself is kept briefly in Redis by the hub that received it, under the task (only the latest one); this
 * describes it.
 *
 * @param previewId   unique per preview, so a client can tell a new image from one it has shown
 * @param contentType {@code image/png}, {@code image/jpeg} or {@code image/webp}
 * @param size        bytes
 * @param nodeId      the ComfyUI node that produced it, when known
 */
public record PreviewInfo(String previewId, String contentType, long size, String nodeId) {
    /** The image types a preview may have. */
    public static final java.util.Set<String> CONTENT_TYPES = java.util.Set.of("image/png", "image/jpeg", "image/webp");
    /** The largest preview image agents send and hubs keep. */
    public static final int MAX_BYTES = 256 * 1024;
    /** How long the latest preview of a task stays readable after it arrived. */
    public static final java.time.Duration KEPT = java.time.Duration.ofMinutes(10);

    /** The Redis key of a task's latest preview, under the deployment's key prefix. */
    public static String key(String prefix, java.util.UUID team, java.util.UUID task) {
        return prefix + "preview:" + team + ":" + task;
    }
}
