package io.cyberun.common.rest;

/** The {@code page_meta} object of every list response. */
public record PageMeta(int currentPage, int perPage, long totalCount) {
}
