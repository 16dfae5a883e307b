package dev.atoll.config;

/**
 * Settings of {@code atoll.offload}, the pool that runs blocking work for shards.
 *
 * @param threads       worker threads
 * @param queueCapacity tasks waiting for a worker; beyond it an offload fails at once
 */
public record OffloadSettings(int threads, int queueCapacity) { }
