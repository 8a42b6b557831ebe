package io.cyberun.contracts.files;

import java.util.List;

/**
 * agent-hub → file-service: presigned PUT URLs for a task's output files.
 *
 * @param files the files the agent wants to upload
 */
public record OutputUploadRequest(List<OutputFile> files) {

    /** One output file; {@code name} is relative to the task's output folder (no {@code ..}, no leading /). */
    public record OutputFile(String name, long size, String contentType) {
    }
}
