package dev.atoll.config;

/**
 * Settings of {@code atoll.io-uring}.
 *
 * @param entries submission queue entries per shard ring (a power of two)
 */
public record IoUringSettings(int entries) { }
