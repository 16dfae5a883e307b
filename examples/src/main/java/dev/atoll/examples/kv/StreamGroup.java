package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.Comparator;
import java.util.TreeMap;

/**
 * A stream's consumer group as Redis 7.0 keeps one (t_stream.c's streamCG): its last delivered ID,
 * its entries-read counter (-1: unknown, Redis's SCG_INVALID_ENTRIES_READ), its pending entries list
 * (PEL: every entry delivered and not yet acknowledged, with its consumer, last delivery time and
 * delivery count) and its consumers, each with its own PEL and the time it was last seen. Groups and
 * consumers are ordered by their names' bytes and PELs by ID, as Redis's radix trees order them.
 * Used by its shard's thread only.
 */
final class StreamGroup {
    /** Orders names as Redis's rax does: bytes compared unsigned, a prefix first. */
    static final Comparator<byte[]> BY_NAME = Arrays::compareUnsigned;
    /** Orders pending entries by ID. */
    static final Comparator<Pending> BY_ID = (a, b) -> StreamId.compare(a.ms, a.seq, b.ms, b.seq);

    /** An entry delivered and not yet acknowledged (Redis's streamNACK). */
    static final class Pending {
        final long ms;
        final long seq;
        long deliveryTime;
        long deliveryCount;
        Consumer consumer;

        Pending(long ms, long seq) {
            this.ms = ms;
            this.seq = seq;
        }
    }

    /** A consumer of the group (Redis's streamConsumer): its name, when it was last seen, its part of the PEL. */
    static final class Consumer {
        final byte[] name;
        long seenTime;
        final TreeMap<Pending, Pending> pel = new TreeMap<>(BY_ID);

        Consumer(byte[] name, long seenTime) {
            this.name = name;
            this.seenTime = seenTime;
        }
    }

    final byte[] name;
    final StreamId lastId = new StreamId();
    long entriesRead;
    final TreeMap<Pending, Pending> pel = new TreeMap<>(BY_ID);
    final TreeMap<byte[], Consumer> consumers = new TreeMap<>(BY_NAME);

    StreamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead) {
        this.name = name;
        this.lastId.set(lastMs, lastSeq);
        this.entriesRead = entriesRead;
    }

    /** The consumer named {@code name}, made (seen at {@code now}) when absent. */
    Consumer consumer(byte[] name, long now) {
        Consumer c = consumers.get(name);
        if (c == null) {
            c = new Consumer(name, now);
            consumers.put(name, c);
        }
        return c;
    }

    /**
     * Delivers the entry {@code ms-seq} to {@code consumer} at {@code now} with {@code count}
     * deliveries: a new pending entry, or the one the group had, taken from its former consumer.
     */
    Pending deliver(long ms, long seq, Consumer consumer, long now, long count) {
        Pending probe = new Pending(ms, seq);
        Pending p = pel.get(probe);
        if (p == null) {
            p = probe;
            pel.put(p, p);
        } else if (p.consumer != consumer) {
            p.consumer.pel.remove(p);
        }
        p.consumer = consumer;
        p.deliveryTime = now;
        p.deliveryCount = count;
        consumer.pel.put(p, p);
        return p;
    }

    /** Acknowledges {@code ms-seq}: false when it was not pending. */
    boolean ack(long ms, long seq, Pending probe) {
        Pending p = pel.remove(probe);
        if (p == null) {
            return false;
        }
        p.consumer.pel.remove(p);
        return true;
    }

    /** Removes the consumer {@code name} and its pending entries; answers how many it had (0 when absent). */
    long deleteConsumer(byte[] name) {
        Consumer c = consumers.remove(name);
        if (c == null) {
            return 0;
        }
        for (Pending p : c.pel.keySet()) {
            pel.remove(p);
        }
        return c.pel.size();
    }

    /** A copy sharing nothing: the same consumers, PEL and counters. */
    StreamGroup copy() {
        StreamGroup g = new StreamGroup(name, lastId.ms, lastId.seq, entriesRead);
        for (Consumer c : consumers.values()) {
            Consumer to = g.consumer(c.name, c.seenTime);
            for (Pending p : c.pel.keySet()) {
                g.deliver(p.ms, p.seq, to, p.deliveryTime, p.deliveryCount);
            }
        }
        return g;
    }

    /** An estimate of the heap bytes it holds (maxmemory's count): the group, each consumer and each pending entry with its two tree nodes. */
    long footprint() {
        long bytes = 96 + name.length;
        for (Consumer c : consumers.values()) {
            bytes += 96 + c.name.length;
        }
        return bytes + 112L * pel.size();
    }
}
