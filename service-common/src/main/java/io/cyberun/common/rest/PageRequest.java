package io.cyberun.common.rest;

import io.cyberun.contracts.api.PageMeta;
import io.cyberun.contracts.error.FieldError;
import java.util.ArrayList;
import java.util.List;

/**
 * The API's paging: {@code current_page} from 1 (default 1), {@code per_page} 1-100 (default 20). Out-of-range
 * values are a 400, not silently clamped.
 */
public record PageRequest(int currentPage, int perPage) {
    public static final int DEFAULT_PER_PAGE = 20;
    public static final int MAX_PER_PAGE = 100;

    public static PageRequest of(Integer currentPage, Integer perPage) {
        List<FieldError> errors = new ArrayList<>();
        int page = currentPage == null ? 1 : currentPage;
        int size = perPage == null ? DEFAULT_PER_PAGE : perPage;
        if (page < 1) {
            errors.add(new FieldError("current_page", "must be 1 or more"));
        }
        if (size < 1 || size > MAX_PER_PAGE) {
            errors.add(new FieldError("per_page", "must be between 1 and " + MAX_PER_PAGE));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid("invalid paging", errors);
        }
        return new PageRequest(page, size);
    }

    public PageMeta meta(long totalCount) {
        return new PageMeta(currentPage, perPage, totalCount);
    }
}
