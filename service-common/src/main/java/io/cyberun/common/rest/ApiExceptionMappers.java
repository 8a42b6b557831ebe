package io.cyberun.common.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.auth.Role;
import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.contracts.error.FieldError;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place exceptions become HTTP responses. Every error answers with {@link ErrorBody}; nothing echoes
 * an exception class or stack trace to the client.
 */
public class ApiExceptionMappers {
    private static final Logger LOG = Logger.getLogger(ApiExceptionMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        if (e.code().httpStatus() == 503) {
            return Response.status(503).type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", Outages.RETRY_AFTER_SECONDS)
                    .entity(e.body()).build();
        }
        return respond(e.code().httpStatus(), e.body());
    }

    /** A caller {@code @RolesAllowed} refused: the message names the role the method declares. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ResourceInfo resource) {
        return respond(403, ErrorBody.of(ErrorCode.FORBIDDEN, refusal(resource == null ? null : rolesAllowed(resource))));
    }

    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthenticated(RuntimeException e) {
        return respond(401, ErrorBody.of(ErrorCode.UNAUTHENTICATED,
                "internal services accept only requests the gateway signed: send the principal token it issues"));
    }

    static String refusal(RolesAllowed allowed) {
        List<String> roles = allowed == null ? List.of() : List.of(allowed.value());
        if (roles.equals(List.of(Roles.SERVICE))) {
            return "only internal services may call this";
        }
        if (roles.equals(List.of(Roles.AGENT))) {
            return "only agents may call this";
        }
        return roles.stream().map(Role::fromWire).filter(r -> r != null).max(Enum::compareTo)
                .map(r -> "your role is too low: this needs " + r.wireName() + " or higher")
                .orElse("you may not call this");
    }

    private static RolesAllowed rolesAllowed(ResourceInfo resource) {
        RolesAllowed own = resource.getResourceMethod() == null ? null : resource.getResourceMethod().getAnnotation(RolesAllowed.class);
        return own != null || resource.getResourceClass() == null ? own : resource.getResourceClass().getAnnotation(RolesAllowed.class);
    }

    /** Quarkus maps these exact types itself (an empty 400); ours answer with the error body. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response unparsableJson(JsonParseException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof JsonParseException || original.contains("end-of-input")) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            return respond(400, ErrorBody.of(ErrorCode.MALFORMED_JSON, "request body is not valid JSON" + where));
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return respond(400, new ErrorBody("request body has a value of the wrong type at " + field,
                    ErrorCode.MALFORMED_JSON.code(), List.of(new FieldError(field, "wrong type"))));
        }
        return respond(400, ErrorBody.of(ErrorCode.MALFORMED_JSON, "request body has the wrong shape: send a JSON object"));
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e) {
        List<FieldError> details = Violations.details(e.getConstraintViolations());
        String message = details.isEmpty() ? "request is invalid" : details.size() == 1 ? details.get(0).field() + " " + details.get(0).message()
                : details.get(0).field() + " " + details.get(0).message() + " (and " + (details.size() - 1) + " more in details)";
        return respond(400, new ErrorBody(message, ErrorCode.VALIDATION_FAILED.code(), details));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return respond(404, ErrorBody.of(ErrorCode.NOT_FOUND, "resource not found"));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return respond(405, ErrorBody.of(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed on this path"));
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e) {
        return respond(415, ErrorBody.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the request body as application/json"));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
            return respond(status, ErrorBody.of(ErrorCode.INTERNAL, "internal error"));
        }
        ErrorCode code = switch (status) {
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 406 -> ErrorCode.INVALID_REQUEST;
            case 409 -> ErrorCode.CONFLICT;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            default -> ErrorCode.INVALID_REQUEST;
        };
        return respond(status, ErrorBody.of(code, e.getMessage() == null ? "request refused" : e.getMessage()));
    }

    /** Anything unexpected: logged with its stack trace, answered without it; a database outage is a 503 to retry. */
    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e) {
        if (Outages.isOutage(e)) {
            LOG.warnf("a request failed because the database is unavailable: %s", e.getMessage());
            return Response.status(503).type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", Outages.RETRY_AFTER_SECONDS)
                    .entity(Outages.body()).build();
        }
        LOG.error("unexpected error while handling a request", e);
        return respond(500, ErrorBody.of(ErrorCode.INTERNAL, "internal error; the service logged the details"));
    }

    public static Response respond(int status, ErrorBody body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
