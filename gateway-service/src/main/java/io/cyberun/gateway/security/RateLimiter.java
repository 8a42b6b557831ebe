package io.cyberun.gateway.security;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.config.GatewayConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Token buckets in Redis, shared by every gateway replica: one per caller for all requests, a smaller one per
 * caller for run requests (each queues GPU work), and one per client address for the anonymous pairing endpoints.
 * The bucket lives in one hash refilled by elapsed time (Redis's clock, so replicas agree); a refused request
 * learns when a token is back ({@code Retry-After}, whole seconds, at least 1). If Redis is unreachable, requests
 * pass (logged): limiting must not turn a Redis outage into an API outage.
 */
@ApplicationScoped
public class RateLimiter {
    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    /** KEYS[1] bucket; ARGV capacity, tokens per second. Returns {allowed 1|0, milliseconds until a token is back}. */
    static final String TAKE = """
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(state[1])
            local at = tonumber(state[2])
            if tokens == nil then
              tokens = capacity
              at = now
            end
            tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
            local allowed = 0
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
              allowed = 1
            else
              wait = math.ceil((1 - tokens) * 1000 / rate)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
            return {allowed, wait}
            """;

    public enum Bucket {
        REQUESTS, RUNS, ANONYMOUS
    }

    private final ReactiveRedisDataSource redis;
    private final GatewayConfig.RateLimits limits;
    private final String prefix;

    public RateLimiter(ReactiveRedisDataSource redis, GatewayConfig config, CyberunConfig cyberun) {
        this.redis = redis;
        this.limits = config.rateLimits();
        this.prefix = cyberun.redis().keyPrefix() + "ratelimit:";
    }

    /** Takes one token from the caller's bucket, or fails with 429 and the seconds to wait. */
    public Uni<Void> take(Bucket bucket, String caller) {
        if (!limits.enabled()) {
            return Uni.createFrom().voidItem();
        }
        int capacity = switch (bucket) {
            case REQUESTS -> limits.requestBurst();
            case RUNS -> limits.runBurst();
            case ANONYMOUS -> limits.anonymousBurst();
        };
        double rate = switch (bucket) {
            case REQUESTS -> limits.requestsPerSecond();
            case RUNS -> limits.runsPerSecond();
            case ANONYMOUS -> limits.anonymousPerSecond();
        };
        String key = prefix + bucket.name().toLowerCase() + ":" + caller;
        return redis.execute("EVAL", TAKE, "1", key, Integer.toString(capacity), Double.toString(rate))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("rate limiting skipped: Redis did not answer (%s)", e.getMessage());
                    return null;
                })
                .flatMap(r -> {
                    if (r == null || r.get(0).toInteger() == 1) {
                        return Uni.createFrom().voidItem();
                    }
                    long seconds = Math.max(1, (r.get(1).toLong() + 999) / 1000);
                    return Uni.createFrom().failure(new RateLimited(bucket, seconds));
                });
    }

    /** A 429 that carries its Retry-After. */
    public static final class RateLimited extends ApiException {
        private final long retryAfterSeconds;

        RateLimited(Bucket bucket, long retryAfterSeconds) {
            super(ErrorCode.RATE_LIMITED, switch (bucket) {
                case RUNS -> "too many run requests from this credential: retry after " + retryAfterSeconds + " s";
                case REQUESTS -> "too many requests from this credential: retry after " + retryAfterSeconds + " s";
                case ANONYMOUS -> "too many requests from this address: retry after " + retryAfterSeconds + " s";
            });
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
