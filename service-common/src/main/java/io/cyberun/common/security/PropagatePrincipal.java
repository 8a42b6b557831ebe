package io.cyberun.common.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * For REST clients that call another service on the current caller's behalf: passes the caller's principal
 * token on, so the called service applies the same team and role.
 * Use with {@code @RegisterClientHeaders(PropagatePrincipal.class)}.
 */
@ApplicationScoped
public class PropagatePrincipal implements ClientHeadersFactory {
    private final CurrentPrincipal current;

    public PropagatePrincipal(CurrentPrincipal current) {
        this.current = current;
    }

    @Override
    public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incoming, MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
        if (current.isPresent() && current.token() != null) {
            headers.putSingle(PrincipalTokens.HEADER, current.token());
        }
        return headers;
    }
}
