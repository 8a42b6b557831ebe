package io.cyberun.contracts.files;

import java.util.List;

/** task-service → file-service: fresh GET URLs for objects of the caller's team. */
public record DownloadLinksRequest(List<String> storageKeys) {
}
