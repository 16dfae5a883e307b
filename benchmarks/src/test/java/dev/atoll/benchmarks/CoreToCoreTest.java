package dev.atoll.benchmarks;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigSources;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a hung probe fails the test instead of the build
class CoreToCoreTest {

    private static ShardRuntime twoShards() {
        return ShardRuntime.start(AtollConfig.load(ConfigSources.none()
                .withOption("atoll.shards.count", "2", "CoreToCoreTest")
                .withOption("atoll.shards.pin", "false", "CoreToCoreTest")));
    }

    @Test
    void aRoundTripBetweenTheTwoShardsIsMeasured() {
        try (ShardRuntime shards = twoShards()) {
            double nanos = CoreToCore.roundTripNanos(shards, Duration.ofMillis(20));
            // Finite and positive; how long depends on the machine (unpinned here: up to a time slice when
            // both threads share a CPU), so no bound on it.
            assertTrue(nanos > 0 && Double.isFinite(nanos), "round trip " + nanos + " ns");
        }
    }

    /** A shard busy with something else never answers: the probe gives up and says so instead of hanging. */
    @Test
    void aShardThatDoesNotAnswerGivesNaNAndFreesBothShards() throws Exception {
        try (ShardRuntime shards = twoShards()) {
            CountDownLatch release = new CountDownLatch(1);
            shards.execute(1, () -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            double nanos = CoreToCore.roundTripNanos(shards, Duration.ofMillis(20), Duration.ofMillis(50));
            release.countDown();
            assertTrue(Double.isNaN(nanos), "expected NaN, got " + nanos);
            // Both shards are free again: a second probe measures.
            assertTrue(CoreToCore.roundTripNanos(shards, Duration.ofMillis(20)) > 0);
        }
    }
}
