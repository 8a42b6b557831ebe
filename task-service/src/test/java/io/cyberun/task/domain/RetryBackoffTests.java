package io.cyberun.task.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTests {
    final RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(2), Duration.ofMinutes(1));

    @Test
    void eachRetryWaitsTwiceTheOneBeforeUpToTheLongestWait() {
        assertThat(backoff.before(1, () -> 0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.before(2, () -> 0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.before(3, () -> 0)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.before(6, () -> 0)).isEqualTo(Duration.ofMinutes(1));
        assertThat(backoff.before(1_000, () -> 0)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void theRandomShareAddsAtMostAFifth() {
        assertThat(backoff.before(1, () -> 0.999_999)).isBetween(Duration.ofSeconds(2), Duration.ofMillis(2_400));
        assertThat(backoff.before(9, () -> 0.5)).isEqualTo(Duration.ofSeconds(66));
    }

    @Test
    void noBackOffWhenConfiguredSo() {
        assertThat(new RetryBackoff(Duration.ZERO, Duration.ofMinutes(1)).before(3, () -> 0.7)).isZero();
    }
}
