package io.cyberun.gateway.security;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.ErrorCode;
import io.cyberun.gateway.config.GatewayConfig;
import io.cyberun.common.redis.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Token buckets in Redis, shared by every gateway replica: one per caller for all requests, a smaller one per
 * caller for run requests (each queues GPU work), and one per client address for the anonymous pairing endpoints.
 * A request takes from all its buckets in one script call, which also reads the revocation epoch for the key cache.
 * The bucket lives in one hash refilled by elapsed time (Redis's clock, so replicas agree); a refused request
 * learns when a token is back ({@code Retry-After}, whole seconds, at least 1). If Redis is unreachable, requests
 * pass (logged): limiting must not turn a Redis outage into an API outage.
 */
@ApplicationScoped
public class RateLimiter {
    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    /**
     * Takes one token from each bucket given, all or none. KEYS: the buckets, then the revocation epoch; ARGV: each
     * bucket's capacity and tokens per second. Returns {allowed 1|0, the refusing bucket's index, milliseconds until it
     * has a token, the revocation epoch}.
     */
    static final LuaScript TAKE = new LuaScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local buckets = #KEYS - 1
            local epoch = tonumber(redis.call('GET', KEYS[#KEYS]) or '0')
            local state = {}
            for i = 1, buckets do
              local capacity = tonumber(ARGV[2 * i - 1])
              local rate = tonumber(ARGV[2 * i])
              local h = redis.call('HMGET', KEYS[i], 'tokens', 'at')
              local tokens = tonumber(h[1])
              local at = tonumber(h[2])
              if tokens == nil then
                tokens = capacity
                at = now
              end
              tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
              if tokens < 1 then
                return {0, i, math.ceil((1 - tokens) * 1000 / rate), epoch}
              end
              state[i] = tokens - 1
            end
            for i = 1, buckets do
              local capacity = tonumber(ARGV[2 * i - 1])
              local rate = tonumber(ARGV[2 * i])
              redis.call('HSET', KEYS[i], 'tokens', tostring(state[i]), 'at', tostring(now))
              redis.call('PEXPIRE', KEYS[i], math.ceil(capacity * 1000 / rate) + 1000)
            end
            return {1, 0, 0, epoch}
            """);

    public enum Bucket {
        REQUESTS, RUNS, ANONYMOUS
    }

    private final ReactiveRedisDataSource redis;
    private final GatewayConfig.RateLimits limits;
    private final String prefix;
    private final String epochKey;

    public RateLimiter(ReactiveRedisDataSource redis, GatewayConfig config, CyberunConfig cyberun) {
        this.redis = redis;
        this.limits = config.rateLimits();
        this.prefix = cyberun.redis().keyPrefix() + "ratelimit:";
        this.epochKey = RevocationEpoch.key(cyberun.redis().keyPrefix());
    }

    /**
     * Takes one token from each of the caller's buckets in one call, or fails with 429 and the seconds to wait.
     * Answers the revocation epoch it read along the way ({@link RevocationEpoch}), or {@code null} when Redis did not
     * answer (the request passes: limiting must not turn a Redis outage into an API outage).
     */
    public Uni<Long> take(String caller, Bucket... buckets) {
        List<String> keys = new ArrayList<>(buckets.length + 1);
        List<String> args = new ArrayList<>(buckets.length * 2);
        if (limits.enabled()) {
            for (Bucket bucket : buckets) {
                keys.add(prefix + bucket.name().toLowerCase() + ":" + caller);
                args.add(Integer.toString(capacity(bucket)));
                args.add(Double.toString(rate(bucket)));
            }
        }
        keys.add(epochKey);
        return TAKE.run(redis, keys, args)
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("rate limiting skipped: Redis did not answer (%s)", e.getMessage());
                    return null;
                })
                .flatMap(r -> {
                    if (r == null) {
                        return Uni.createFrom().nullItem();
                    }
                    if (r.get(0).toInteger() == 1) {
                        return Uni.createFrom().item(r.get(3).toLong());
                    }
                    long seconds = Math.max(1, (r.get(2).toLong() + 999) / 1000);
                    return Uni.createFrom().failure(new RateLimited(buckets[r.get(1).toInteger() - 1], seconds));
                });
    }

    private int capacity(Bucket bucket) {
        return switch (bucket) {
            case REQUESTS -> limits.requestBurst();
            case RUNS -> limits.runBurst();
            case ANONYMOUS -> limits.anonymousBurst();
        };
    }

    private double rate(Bucket bucket) {
        return switch (bucket) {
            case REQUESTS -> limits.requestsPerSecond();
            case RUNS -> limits.runsPerSecond();
            case ANONYMOUS -> limits.anonymousPerSecond();
        };
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
