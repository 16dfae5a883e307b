package dev.atoll.config;

import java.time.Duration;

/**
 * Settings of {@code atoll.shards.idle}: what an idle shard does.
 *
 * @param strategy   the idle strategy
 * @param pollWindow {@code adaptive}: how long after the last message it sent or received a shard keeps
 *                   polling before it sleeps
 * @param ioPollWindow {@code adaptive}: how long after its last I/O completion a shard keeps polling
 *                   before it sleeps (zero: I/O alone never keeps it polling)
 * @param spins      idle iterations that spin before the strategy yields ({@code spin-then-yield},
 *                   {@code back-off}, {@code adaptive})
 * @param yields     {@code back-off}: idle iterations that yield before it parks
 * @param minPark    {@code back-off}: the first park
 * @param maxPark    {@code back-off}: the longest park
 */
public record IdleSettings(IdleStrategyKind strategy, Duration pollWindow, Duration ioPollWindow, int spins, int yields,
                           Duration minPark, Duration maxPark) {

    public IdleSettings {
        if (maxPark.compareTo(minPark) < 0) {
            throw new IllegalArgumentException("max-park " + maxPark + " is shorter than min-park " + minPark);
        }
    }
}
