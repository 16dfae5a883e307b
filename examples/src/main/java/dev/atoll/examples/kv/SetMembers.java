package dev.atoll.examples.kv;

import java.util.function.Consumer;

/**
 * A set as the sorted-set commands read it: ZUNION, ZINTER, ZDIFF, their STORE forms and
 * ZINTERCARD take a set key as a sorted set whose members all score 1, as Redis does. The set type
 * implements it; {@link Aggregate#copy()} gives the snapshot sent between shards.
 */
interface SetMembers extends Aggregate {
    /** Whether {@code b[offset, offset + length)} is a member. */
    boolean contains(byte[] b, int offset, int length);

    /** Visits every member (never changed in place: a visitor may keep them). */
    void forEachMember(Consumer<byte[]> visitor);
}
