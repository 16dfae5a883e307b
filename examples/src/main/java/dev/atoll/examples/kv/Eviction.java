package dev.atoll.examples.kv;

import java.util.SplittableRandom;

/**
 * One shard's part of {@code maxmemory}: before a write, while the shard's keys take more than its
 * share ({@code maxmemory} divided by the shards), keys are evicted by the policy, the way Redis
 * approximates it: {@code maxmemory-samples} keys are sampled (all keys, or those with an expiry
 * for the {@code volatile-*} policies) and the best candidate of the sample goes — the longest idle
 * for LRU, the least frequently used for LFU, the nearest expiry for {@code volatile-ttl}, any for
 * the random policies. A write that finds the shard over its share with nothing the policy may
 * take (under {@code noeviction}, or no key with an expiry for {@code volatile-*}) is refused with
 * Redis's {@code OOM} error when it may add memory ({@code denyoom}); reads, deletes and other
 * writes go on. Under the LFU policies each key's
 * {@link KeyTable.Entry#accessedAt} holds Redis's 8-bit logarithmic access counter and the minute
 * it last decayed (16 bits of minutes, as Redis's); under the others the low 32 bits of the Unix time
 * in ms of the last access ({@link #lruField}). Used by its shard's thread only.
 */
final class Eviction {
    /** Redis's text, word for word. */
    static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    /** A new key's LFU counter (Redis's LFU_INIT_VAL), so that it is not evicted at once. */
    private static final int LFU_INIT = 5;

    private final KeyTable table;
    private final KvSettings.EvictionPolicy policy;
    private final int samples;
    private final long limit;
    private final SplittableRandom random;
    /** Keys evicted so far (INFO's evicted_keys). */
    long evictedKeys;

    /**
     * @param limit this shard's share of maxmemory in bytes; 0 = no limit
     */
    Eviction(KeyTable table, KvSettings.EvictionPolicy policy, int samples, long limit, SplittableRandom random) {
        this.table = table;
        this.policy = policy;
        this.samples = samples;
        this.limit = limit;
        this.random = random;
    }

    long limit() {
        return limit;
    }

    boolean lfu() {
        return policy.lfu();
    }

    /** Whether the shard's keys take more than its share. */
    boolean over() {
        return limit != 0 && table.usedBytes() > limit;
    }

    /**
     * Before a write: evicts while the shard is over its share and the policy finds a key, for at most
     * {@code tunables}' budget (Redis's {@code maxmemory-eviction-tenacity}: a limit lowered by CONFIG SET is reached
     * over several writes, not in one stall). Returns false — a {@code denyoom} write is refused — only
     * when the policy found nothing to evict and the shard is still over; true when it is within its
     * share or still freeing memory. {@code removal} removes and logs a key, as DEL does.
     */
    boolean makeRoom(long now, java.util.function.Consumer<KeyTable.Entry> removal, Tunables tunables) {
        long start = System.nanoTime();
        long budget = tunables.evictionBudgetNanos();
        for (int evicted = 1; table.usedBytes() > limit; evicted++) {
            KeyTable.Entry victim = candidate(now, tunables.lfuDecayTime());
            if (victim == null) {
                return false;
            }
            removal.accept(victim);
            evictedKeys++;
            if ((evicted & 15) == 0 && System.nanoTime() - start > budget) {
                return true; // still freeing: the next writes go on with it
            }
        }
        return true;
    }

    /** The best of a sample by the policy, or null when it has nothing to evict. */
    private KeyTable.Entry candidate(long now, int decayMinutes) {
        if (policy == KvSettings.EvictionPolicy.NOEVICTION) {
            return null;
        }
        KeyTable.Entry best = null;
        long bestScore = Long.MIN_VALUE;
        for (int i = 0; i < samples; i++) {
            KeyTable.Entry e = policy.volatileOnly() ? table.randomVolatile(random) : table.random(random);
            if (e == null) {
                return null;
            }
            long score = switch (policy) {
                case ALLKEYS_LRU, VOLATILE_LRU -> idleMillis(e.accessedAt, now); // the longest idle goes
                case ALLKEYS_LFU, VOLATILE_LFU -> 255 - decayed(e.accessedAt, now, decayMinutes); // the least used goes
                case VOLATILE_TTL -> -table.expireAt(e); // the nearest expiry goes
                default -> 0; // random: the first sampled
            };
            if (best == null || score > bestScore) {
                best = e;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * The access field of a key accessed at {@code now} (Unix ms) when no LFU policy is set: the time's low
     * 32 bits, never 0 (which means "not accessed yet": a time whose low bits are 0 is kept 1 ms earlier).
     * Redis keeps 24 bits of seconds; this keeps ms, and an idle time reads modulo 2^32 ms (49.7 days) as
     * Redis's reads modulo 2^24 s (194 days).
     */
    static int lruField(long now) {
        int field = (int) now;
        return field == 0 ? -1 : field;
    }

    /** How long ago, in ms, the access an {@link #lruField} recorded was (modulo 2^32 ms). */
    static long idleMillis(int field, long now) {
        return Integer.toUnsignedLong((int) now - field);
    }

    /** A new key's access field under LFU: the initial counter, decayed from now. */
    static int lfuNew(long now) {
        return lfuField(LFU_INIT, now);
    }

    /**
     * The access field under LFU of a key whose counter is {@code counter} (0..255) now (RESTORE ... FREQ):
     * a bit that makes it non-zero, 16 bits of minutes (wrapping as Redis's LFU clock does), the counter.
     */
    static int lfuField(int counter, long now) {
        return 1 << 24 | (int) (minutes(now) & 0xFFFF) << 8 | counter;
    }

    /**
     * An access under LFU: the counter decays by one per {@code lfu-decay-time} minutes since it last
     * did, then grows with probability 1 / ((counter - LFU_INIT) * lfu-log-factor + 1), saturating at
     * 255 (Redis's LFULogIncr).
     */
    static int touch(int field, long now, SplittableRandom random, Tunables tunables) {
        int counter = decayed(field, now, tunables.lfuDecayTime());
        if (counter < 255) {
            double base = Math.max(0, counter - LFU_INIT);
            if (random.nextDouble() < 1.0 / (base * tunables.lfuLogFactor() + 1)) {
                counter++;
            }
        }
        return lfuField(counter, now);
    }

    /**
     * The counter of an access field as of {@code now}, decayed by one per {@code decayMinutes} since it last was
     * (OBJECT FREQ); {@code decayMinutes} 0: no decay, as Redis's lfu-decay-time 0.
     */
    static int decayed(int field, long now, int decayMinutes) {
        int counter = field & 0xFF;
        if (decayMinutes == 0) {
            return counter;
        }
        long periods = ((minutes(now) - (field >>> 8)) & 0xFFFF) / decayMinutes; // Redis's LFUTimeElapsed
        return (int) Math.max(0, counter - Math.min(periods, 255));
    }

    private static long minutes(long millis) {
        return millis / 60_000;
    }
}
