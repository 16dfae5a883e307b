package dev.atoll.examples.kv;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The chain lengths of one bucket array, told a bucket at a time, and their text as Redis 7.0's {@code dictGetStats}
 * writes it (DEBUG HTSTATS and HTSTATS-KEY): the table's size and elements, the buckets in use, the longest chain, the
 * average chain counted and computed, and how many buckets hold each chain length. Used by one thread.
 */
final class HashTableStats {
    /** Redis's {@code DICT_STATS_VECTLEN}: chains of 49 or more share the last count, which Redis does not print. */
    private static final int VECTOR_LENGTH = 50;

    private final long[] chainsOfLength = new long[VECTOR_LENGTH];
    private long size;
    private long elements;
    private long usedSlots;
    private long longestChain;

    /** Adds a bucket whose chain holds {@code length} keys. */
    void bucket(int length) {
        size++;
        chainsOfLength[Math.min(length, VECTOR_LENGTH - 1)]++;
        if (length > 0) {
            usedSlots++;
            elements += length;
            longestChain = Math.max(longestChain, length);
        }
    }

    /**
     * Appends this table's lines; {@code id} 0 is the table keys are looked up in first, 1 the one a resize moves them
     * into (Redis's "rehashing target").
     */
    void appendTo(StringBuilder out, int id) {
        out.append("Hash table ").append(id).append(" stats (").append(id == 0 ? "main hash table" : "rehashing target")
                .append("):\n");
        if (elements == 0) {
            out.append("No stats available for empty dictionaries\n");
            return;
        }
        // The averages are C floats printed with %.02f, as in dict.c. Redis divides the chains it counted, then its
        // table's own count of keys, by the slots in use: one number here, where the count is the walk's.
        String average = twoDecimals((float) elements / usedSlots);
        out.append(" table size: ").append(size).append('\n')
                .append(" number of elements: ").append(elements).append('\n')
                .append(" different slots: ").append(usedSlots).append('\n')
                .append(" max chain length: ").append(longestChain).append('\n')
                .append(" avg chain length (counted): ").append(average).append('\n')
                .append(" avg chain length (computed): ").append(average).append('\n')
                .append(" Chain length distribution:\n");
        for (int length = 0; length < VECTOR_LENGTH - 1; length++) {
            long buckets = chainsOfLength[length];
            if (buckets != 0) {
                out.append("   ").append(length).append(": ").append(buckets).append(" (")
                        .append(twoDecimals((float) buckets / size * 100)).append("%)\n");
            }
        }
    }

    /** {@code value} as C's {@code printf("%.02f")}: the exact binary value rounded half to even. */
    private static String twoDecimals(float value) {
        return new BigDecimal(value).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }
}
