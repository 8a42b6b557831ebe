package io.cyberun.common.rest;

import java.util.List;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Paths;

/**
 * Keeps a service's OpenAPI description to the public API: the {@code /internal/} endpoints services call on each
 * other (never routed by the gateway) are left out, as are the admin bootstrap endpoints.
 */
public class PublicApiFilter implements OASFilter {
    static final List<String> PUBLIC_PREFIXES = List.of("/api/v1/");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Paths paths = openAPI.getPaths();
        if (paths == null || paths.getPathItems() == null) {
            return;
        }
        for (String path : List.copyOf(paths.getPathItems().keySet())) {
            if (PUBLIC_PREFIXES.stream().noneMatch(path::startsWith) || path.startsWith("/api/v1/admin")) {
                paths.removePathItem(path);
            }
        }
    }
}
