package io.cyberun.gateway.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.contracts.auth.Role;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Short-lived tokens a browser puts in a URL where it cannot send headers (EventSource): each is valid for reading
 * one task only (its events, its detail and its result), as the caller who asked for it, for
 * {@link #LIFETIME_SECONDS}. Stored in Redis as their SHA-256 with the lifetime as TTL, so every gateway replica
 * accepts them and no raw token is kept. A stream opened before expiry runs until the task ends.
 */
@ApplicationScoped
public class StreamTokens {
    public static final int LIFETIME_SECONDS = 300;
    public static final String PREFIX = "st-";

    private final ReactiveValueCommands<String, String> values;
    private final ObjectMapper json;
    private final Clock clock;
    private final String prefix;

    public StreamTokens(ReactiveRedisDataSource redis, ObjectMapper json, Clock clock, CyberunConfig cyberun) {
        this.values = redis.value(String.class);
        this.json = json;
        this.clock = clock;
        this.prefix = cyberun.redis().keyPrefix();
    }

    public record Issued(String streamToken, UUID taskId, Instant expiresAt, int expiresIn) {
    }

    /** What Redis holds for a token: whose it is and for which task. */
    record Grant(String subject, UUID teamId, Role role, CredentialKind kind, UUID credentialId, UUID taskId) {
        Principal principal() {
            return new Principal(subject, teamId, role, kind, credentialId);
        }
    }

    public Uni<Issued> issue(Principal principal, UUID task) {
        String token = PREFIX + Secrets.random(40);
        Instant expires = clock.instant().plusSeconds(LIFETIME_SECONDS);
        return values.setex(key(token), LIFETIME_SECONDS, write(new Grant(principal.subject(), principal.teamId(), principal.role(), principal.kind(), principal.credentialId(), task)))
                .replaceWith(new Issued(token, task, expires, LIFETIME_SECONDS));
    }

    /** The principal the token stands for, or null when it is unknown, expired or for another task. */
    public Uni<Principal> principalFor(String token, UUID task) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 100) {
            return Uni.createFrom().nullItem();
        }
        return values.get(key(token)).map(stored -> {
            if (stored == null) {
                return null;
            }
            try {
                Grant grant = json.readValue(stored, Grant.class);
                return task.equals(grant.taskId()) ? grant.principal() : null;
            } catch (Exception e) {
                return null;
            }
        });
    }

    private String key(String token) {
        return prefix + "stream-token:" + Secrets.sha256Hex(token);
    }

    private String write(Grant grant) {
        try {
            return json.writeValueAsString(grant);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
