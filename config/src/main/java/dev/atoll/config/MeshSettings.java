package dev.atoll.config;

/**
 * Settings of {@code atoll.mesh}, the queues between shards.
 *
 * @param queueCapacity capacity of each single-producer/single-consumer queue between two shards
 *                      (rounded up to a power of two)
 * @param overflowLimit messages a sender keeps locally for one target while that target's queue is
 *                      full; beyond it a send is refused (dead letter, failed ask or failed future)
 */
public record MeshSettings(int queueCapacity, int overflowLimit) { }
