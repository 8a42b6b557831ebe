package io.cyberun.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cyberun.gateway.UpstreamStub;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The gateway's token buckets on the real Redis, without HTTP: bursts, all-or-none takes, isolation, refill, the epoch. */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "gateway"), @ResourceArg(name = "gateway", value = "true")})
@QuarkusTestResource(UpstreamStub.class)
class RateLimiterTests {
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    RateLimiter limiter;

    /** Takes from the buckets until one refuses; answers how many takes passed and the refusal. */
    private Refusal takeUntilRefused(String caller, int most, RateLimiter.Bucket... buckets) {
        for (int passed = 0; passed < most; passed++) {
            try {
                limiter.take(caller, buckets).await().atMost(WAIT);
            } catch (RateLimiter.RateLimited refused) {
                return new Refusal(passed, refused);
            }
        }
        throw new AssertionError("no refusal after " + most + " takes");
    }

    private record Refusal(int passed, RateLimiter.RateLimited error) {
    }

    @Test
    void aBurstOfRunsIsAllowedThenRefusedWithRetryAfterAndARefusedTakeTakesNothing() {
        String caller = "test-" + UUID.randomUUID();
        Refusal refusal = takeUntilRefused(caller, 400, RateLimiter.Bucket.RUNS);
        // The run bucket holds 100 (default burst) and refills at 20/s while the takes run.
        assertThat(refusal.passed()).isBetween(100, 200);
        assertThat(refusal.error().retryAfterSeconds()).isEqualTo(1);
        assertThat(refusal.error().getMessage()).startsWith("too many run requests from this credential");
        // A run request takes from both buckets, all or none: 150 refused runs leave the request bucket (200) whole.
        int refused = 0;
        for (int i = 0; i < 150; i++) {
            try {
                limiter.take(caller, RateLimiter.Bucket.REQUESTS, RateLimiter.Bucket.RUNS).await().atMost(WAIT);
            } catch (RateLimiter.RateLimited e) {
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(100);
        Refusal requests = takeUntilRefused(caller, 600, RateLimiter.Bucket.REQUESTS);
        assertThat(requests.passed()).as("the request bucket's tokens after the refused runs").isGreaterThanOrEqualTo(200 - (150 - refused));
        assertThat(requests.error().getMessage()).startsWith("too many requests from this credential");
        // Another caller has buckets of its own.
        limiter.take("test-" + UUID.randomUUID(), RateLimiter.Bucket.REQUESTS, RateLimiter.Bucket.RUNS).await().atMost(WAIT);
    }

    @Test
    void aRefusedCallerMayGoOnOnceItsRetryAfterHasPassed() {
        String caller = "test-" + UUID.randomUUID();
        Refusal refusal = takeUntilRefused(caller, 200, RateLimiter.Bucket.ANONYMOUS);
        assertThat(refusal.error().getMessage()).startsWith("too many requests from this address");
        assertThatThrownBy(() -> limiter.take(caller, RateLimiter.Bucket.ANONYMOUS).await().atMost(WAIT))
                .isInstanceOf(RateLimiter.RateLimited.class);
        Duration retryAfter = Duration.ofSeconds(refusal.error().retryAfterSeconds());
        Awaitility.await().atMost(retryAfter.plusSeconds(2)).ignoreExceptionsInstanceOf(RateLimiter.RateLimited.class)
                .until(() -> limiter.take(caller, RateLimiter.Bucket.ANONYMOUS).await().atMost(WAIT) != null);
    }

    @Test
    void eachTakeReadsTheRevocationEpochSoCachedKeysAreCheckedAgainAfterARevocation() {
        String epochKey = RevocationEpoch.key(CyberunTestContext.get().namespace().redisPrefix());
        long before = limiter.take("test-" + UUID.randomUUID(), RateLimiter.Bucket.REQUESTS).await().atMost(WAIT);
        CyberunTestContext.get().namespace().redis("INCR", epochKey);
        long after = limiter.take("test-" + UUID.randomUUID(), RateLimiter.Bucket.REQUESTS).await().atMost(WAIT);
        assertThat(after).isEqualTo(before + 1);
    }
}
