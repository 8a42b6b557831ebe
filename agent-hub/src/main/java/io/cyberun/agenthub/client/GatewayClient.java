package io.cyberun.agenthub.client;

import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.CredentialIntrospection;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The gateway's internal API: only it can tell what an agent key belongs to. */
@RegisterRestClient(configKey = "gateway")
@Path("/internal/v1")
public interface GatewayClient {

    /** Looks up an {@code ak-} secret; 404 when it is unknown, revoked or expired. */
    @POST
    @Path("/credentials/introspect")
    Uni<CredentialIntrospection.Result> introspect(@HeaderParam(PrincipalTokens.HEADER) String serviceToken,
                                                   CredentialIntrospection.Request request);

    /** Which of these credentials are no longer active (revoked, expired or deleted). */
    @POST
    @Path("/credentials/inactive")
    Uni<CredentialIntrospection.Ids> inactive(@HeaderParam(PrincipalTokens.HEADER) String serviceToken, CredentialIntrospection.Ids request);
}
