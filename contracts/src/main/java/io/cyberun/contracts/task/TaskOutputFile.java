package io.cyberun.contracts.task;

/**
 * One file a task produced, stored by the agent with a presigned PUT.
 *
 * @param name       the file's name relative to the task's output folder, e.g. {@code image-0.png}
 * @param storageKey the object key, {@code teams/{team}/tasks/{task}/outputs/{name}}
 * @param sha256     lowercase hex digest of the bytes
 * @param outputId   the runtime's identifier of the output, when it has one: for ComfyUI {@code node.kind.index}
 *                   (e.g. {@code 9.images.0}); the result's {@code download_urls} are keyed by it, else by {@code name}
 */
public record TaskOutputFile(String name, String storageKey, long size, String contentType, String sha256, String outputId) {

    public TaskOutputFile(String name, String storageKey, long size, String contentType, String sha256) {
        this(name, storageKey, size, contentType, sha256, null);
    }
}
