package io.cyberun.gateway.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.config.GatewayConfig;
import io.cyberun.gateway.routing.RouteTable;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * {@code GET /api/v1/openapi.json}: the whole public API in one OpenAPI 3.1 document, merged from the documents of the
 * services that own the endpoints (task-service, file-service, agent-hub, each at {@code /q/openapi}) and the gateway's
 * own. Kept for a minute; while a service cannot be reached, the last complete document is served, and without one
 * the answer is 503 (a partial document would mislead a client generator). The reference page is {@code /api/docs}.
 */
@Path("/api/v1/openapi.json")
public class OpenApiResource {
    private static final Logger LOG = Logger.getLogger(OpenApiResource.class);
    static final List<String> SERVICES = List.of(RouteTable.TASK_SERVICE, RouteTable.FILE_SERVICE, RouteTable.AGENT_HUB);
    static final Duration KEPT = Duration.ofMinutes(1);
    /** The gateway's own document, as Quarkus generated it at build time. */
    static final String OWN_DOCUMENT = "META-INF/quarkus-generated-openapi-doc.JSON";

    private final GatewayConfig config;
    private final ObjectMapper json;
    private final HttpClient client;
    private final String oidcIssuer;
    private final String version;
    private volatile JsonNode own;
    private volatile JsonNode document;
    private volatile Instant madeAt = Instant.EPOCH;

    public OpenApiResource(GatewayConfig config, ObjectMapper json, Vertx vertx,
                           @ConfigProperty(name = "quarkus.oidc.auth-server-url") java.util.Optional<String> oidcIssuer,
                           @ConfigProperty(name = "quarkus.application.version", defaultValue = "0.1.0") String version) {
        this.config = config;
        this.json = json;
        this.client = vertx.createHttpClient();
        this.oidcIssuer = oidcIssuer.orElse(null);
        this.version = version;
    }

    @GET
    @PermitAll
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public Uni<JsonNode> document() {
        JsonNode kept = document;
        if (kept != null && madeAt.plus(KEPT).isAfter(Instant.now())) {
            return Uni.createFrom().item(kept);
        }
        return collect().map(docs -> {
            JsonNode made = new OpenApiMerge(json).merge(docs, config.publicUrl(), oidcIssuer, version);
            document = made;
            madeAt = Instant.now();
            return made;
        }).onFailure().recoverWithUni(e -> {
            if (document != null) {
                LOG.warnf("serving the last OpenAPI document: %s", e.getMessage());
                return Uni.createFrom().item(document);
            }
            return Uni.createFrom().failure(new ApiException(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "the API description is assembled from the services, and " + e.getMessage() + "; try again shortly"));
        });
    }

    private Uni<Map<String, JsonNode>> collect() {
        Map<String, JsonNode> docs = new LinkedHashMap<>();
        docs.put("gateway-service", own());
        Uni<Void> all = Uni.createFrom().voidItem();
        for (String service : SERVICES) {
            all = all.call(() -> fetch(service).invoke(doc -> docs.put(service, doc)));
        }
        return all.replaceWith(docs);
    }

    private Uni<JsonNode> fetch(String service) {
        URI base = config.services().get(service);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(base.resolve("/q/openapi?format=json").toString())
                .setTimeout(5_000);
        return client.request(request).flatMap(r -> r.send()).flatMap(r -> {
                    if (r.statusCode() != 200) {
                        return Uni.createFrom().failure(new IllegalStateException(service + " answered HTTP " + r.statusCode()));
                    }
                    return r.body();
                })
                .map(this::read)
                .onFailure(e -> !(e instanceof IllegalStateException))
                .transform(e -> new IllegalStateException(service + " cannot be reached (" + e.getMessage() + ")"));
    }

    private JsonNode read(Buffer body) {
        try {
            return json.readTree(body.getBytes());
        } catch (IOException e) {
            throw new IllegalStateException("a service's OpenAPI document is not JSON: " + e.getMessage(), e);
        }
    }

    /** Read once: it is fixed at build time. */
    private JsonNode own() {
        JsonNode read = own;
        if (read == null) {
            read = readOwn();
            own = read;
        }
        return read;
    }

    private JsonNode readOwn() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(OWN_DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException("the gateway's own OpenAPI document (" + OWN_DOCUMENT + ") is missing from the build");
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
