package io.cyberun.common.rest;

import jakarta.ws.rs.QueryParam;

/**
 * The API's paging as a list's query parameters (a resource method takes it as {@code @Valid @BeanParam}):
 * {@code current_page} from 1 (default 1), {@code per_page} 1-{@value PageRequest#MAX_PER_PAGE} (default
 * {@value PageRequest#DEFAULT_PER_PAGE}). A value out of range or not a number is a 400 naming it, not clamped.
 */
public class Paging {
    @QueryParam("current_page")
    @WholeNumber(min = 1, max = Integer.MAX_VALUE, message = "must be a whole number, 1 or more")
    String currentPage;

    @QueryParam("per_page")
    @WholeNumber(min = 1, max = PageRequest.MAX_PER_PAGE, message = "must be a whole number between 1 and " + PageRequest.MAX_PER_PAGE)
    String perPage;

    public PageRequest request() {
        Integer page = QueryParams.integer("current_page", currentPage);
        Integer size = QueryParams.integer("per_page", perPage);
        return new PageRequest(page == null ? 1 : page, size == null ? PageRequest.DEFAULT_PER_PAGE : size);
    }
}
