package dev.atoll.config;

import java.time.Duration;

/**
 * Settings of {@code atoll.timers}, each shard's timer wheel.
 *
 * @param tick      resolution of the wheel; a timer fires within one tick after its deadline, never before
 * @param wheelSize slots in the wheel (rounded up to a power of two)
 */
public record TimerSettings(Duration tick, int wheelSize) { }
