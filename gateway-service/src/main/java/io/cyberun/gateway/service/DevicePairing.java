package io.cyberun.gateway.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.auth.CredentialKind;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.config.GatewayConfig;
import io.cyberun.gateway.repository.CredentialRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Device pairing, in the style of the OAuth device flow. A device starts a pairing (anonymous) and shows the user
 * a short code; the user confirms it while signed in, choosing the team; the device polls with its secret
 * device code and, once, receives a dk- key and its companion ak- key. Pairings live only in Redis, with their
 * lifetime as TTL: the device code is stored as its SHA-256, the keys are created at the one successful poll
 * (so no raw secret is ever stored), and the pairing is deleted atomically by that poll (GETDEL), so a second
 * poll, even a concurrent one, gets 404.
 */
@ApplicationScoped
public class DevicePairing {
    static final int EXPIRES_IN_SECONDS = 300;
    static final int INTERVAL_SECONDS = 2;
    /** No 0/O, 1/I/L: a code is read off a screen and typed. */
    static final char[] USER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789".toCharArray();

    private final ReactiveValueCommands<String, String> values;
    private final ObjectMapper json;
    private final CredentialService credentials;
    private final CredentialRepository repository;
    private final GatewayConfig config;
    private final Clock clock;
    private final String prefix;

    public DevicePairing(ReactiveRedisDataSource redis, ObjectMapper json, CredentialService credentials, CredentialRepository repository,
                         GatewayConfig config, CyberunConfig cyberun, Clock clock) {
        this.values = redis.value(String.class);
        this.json = json;
        this.credentials = credentials;
        this.repository = repository;
        this.config = config;
        this.clock = clock;
        this.prefix = cyberun.redis().keyPrefix();
    }

    public record Started(String deviceCode, String userCode, String verificationUri, int expiresIn, int interval) {
    }

    public record Poll(String status, String rawKey, String agentKey, UUID teamId, UUID credentialId) {
    }

    /** What Redis holds for a pairing: pending, or approved with who approved it for which team. */
    record Pairing(String status, String userCode, UUID teamId, UUID userId, String deviceName) {
    }

    public Uni<Started> start() {
        return startWithFreshCode(0);
    }

    private Uni<Started> startWithFreshCode(int attempt) {
        String deviceCode = Secrets.random(43);
        String raw = Secrets.random(8, USER_CODE_ALPHABET);
        String userCode = raw.substring(0, 4) + "-" + raw.substring(4);
        String deviceKey = deviceKey(deviceCode);
        // The user code must be unique among live pairings: claim it first (NX), retry on the rare collision.
        return values.set(userKey(raw), deviceKey, new SetArgs().nx().ex(EXPIRES_IN_SECONDS))
                .flatMap(ignored -> values.get(userKey(raw)))
                .flatMap(owner -> {
                    if (!deviceKey.equals(owner)) {
                        if (attempt >= 5) {
                            return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT, "could not allocate a pairing code; try again"));
                        }
                        return startWithFreshCode(attempt + 1);
                    }
                    return values.setex(deviceKey, EXPIRES_IN_SECONDS, write(new Pairing("pending", raw, null, null, null)))
                            .replaceWith(new Started(deviceCode, userCode, config.pairingVerificationUri() + "?user_code=" + userCode,
                                    EXPIRES_IN_SECONDS, INTERVAL_SECONDS));
                });
    }

    /** The signed-in user approves the pairing shown with this user code (normalized: 8 characters, upper case), for the team they act in. */
    public Uni<Void> confirm(UUID teamId, UUID userId, String code, String deviceName) {
        String name = deviceName == null || deviceName.isBlank()
                ? "Desktop (paired " + LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) + ")"
                : deviceName.strip();
        return values.getdel(userKey(code)).flatMap(deviceKey -> {
            if (deviceKey == null) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND,
                        "no pairing waits for this code: it was used or has expired; start the pairing again on the device"));
            }
            Pairing approved = new Pairing("approved", code, teamId, userId, name);
            // XX + KEEPTTL: only a pairing that still exists is approved, and it keeps its original expiry.
            return values.set(deviceKey, write(approved), new SetArgs().xx().keepttl());
        });
    }

    public Uni<Poll> poll(String deviceCode) {
        String key = deviceKey(deviceCode);
        return values.get(key).flatMap(stored -> {
            if (stored == null) {
                return notFound();
            }
            if ("pending".equals(read(stored).status())) {
                return Uni.createFrom().item(new Poll("pending", null, null, null, null));
            }
            return values.getdel(key).flatMap(taken -> taken == null ? notFound() : issue(read(taken)));
        });
    }

    private Uni<Poll> issue(Pairing p) {
        return Panache.withTransaction(() -> credentials.issue(p.teamId(), CredentialKind.DEVICE, p.deviceName(), null, p.userId(),
                        p.userId(), null)
                .flatMap(dk -> credentials.issue(p.teamId(), CredentialKind.AGENT, p.deviceName() + " (agent)", null, p.userId(),
                                p.userId(), null)
                        .call(ak -> {
                            dk.credential().companionId = ak.credential().id;
                            ak.credential().companionId = dk.credential().id;
                            return repository.flush();
                        })
                        .map(ak -> new Poll("approved", dk.secret(), ak.secret(), p.teamId(), dk.credential().id))));
    }

    private static <T> Uni<T> notFound() {
        return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND,
                "no such pairing: it was already collected or has expired; start the pairing again"));
    }

    private String deviceKey(String deviceCode) {
        return prefix + "pair:device:" + Secrets.sha256Hex(deviceCode);
    }

    private String userKey(String normalizedUserCode) {
        return prefix + "pair:user:" + normalizedUserCode;
    }

    private String write(Pairing p) {
        try {
            return json.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Pairing read(String stored) {
        try {
            return json.readValue(stored, Pairing.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
