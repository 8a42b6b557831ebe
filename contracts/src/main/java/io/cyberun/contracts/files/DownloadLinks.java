package io.cyberun.contracts.files;

import java.time.Instant;
import java.util.List;

/** Freshly minted GET URLs, one per requested key, all valid until {@code expiresAt}. */
public record DownloadLinks(List<Link> links, Instant expiresAt) {

    public record Link(String storageKey, String url) {
    }
}
