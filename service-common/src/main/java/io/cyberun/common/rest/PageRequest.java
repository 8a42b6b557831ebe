package io.cyberun.common.rest;

import io.cyberun.contracts.api.PageMeta;

/** One page of a list: its number from 1 and its size, as {@link Paging} read them from a request. */
public record PageRequest(int currentPage, int perPage) {
    public static final int DEFAULT_PER_PAGE = 20;
    public static final int MAX_PER_PAGE = 100;

    public PageMeta meta(long totalCount) {
        return new PageMeta(currentPage, perPage, totalCount);
    }
}
