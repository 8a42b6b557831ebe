package io.cyberun.contracts.task;

/**
 * One file a task produced, stored by the agent with a presigned PUT.
 *
 * @param name       the file's name relative to the task's output folder, e.g. {@code image-0.png}
 * @param storageKey the object key, {@code teams/{team}/tasks/{task}/outputs/{name}}
 * @param sha256     lowercase hex digest of the bytes
 */
public record TaskOutputFile(String name, String storageKey, long size, String contentType, String sha256) {
}
