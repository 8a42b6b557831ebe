package io.cyberun.contracts.api;

/** The {@code page_meta} object of every list response. */
public record PageMeta(int currentPage, int perPage, long totalCount) {
}
