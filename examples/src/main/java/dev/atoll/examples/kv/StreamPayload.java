package dev.atoll.examples.kv;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stream in Redis 7.0's RDB encoding, {@code STREAM_LISTPACKS_2} (19): its nodes as listpacks keyed by their
 * master entry's ID (t_stream.c's layout: a master entry of the node's first fields, then each entry as flags,
 * ID deltas, its fields unless they are the master's, its values and its element count), its length, last,
 * first and largest deleted IDs, entries added, then each consumer group with its last ID, entries read, PEL
 * (ID, delivery time, delivery count) and consumers (name, seen time, the IDs of their PEL). Reads that and the
 * {@code STREAM_LISTPACKS} (15) of Redis 5 and 6, whose counters Redis 7.0 computes on load as done here.
 */
final class StreamPayload {
    static final int STREAM_LISTPACKS = 15;
    static final int STREAM_LISTPACKS_2 = 19;
    private static final int FLAG_DELETED = 1;
    private static final int FLAG_SAMEFIELDS = 2;

    private StreamPayload() {
    }

    /** The value of a stream after its type (and key): {@code STREAM_LISTPACKS_2}. */
    static void write(RdbBuffer out, StreamValue s) {
        int nodes = 0;
        for (int n = 0; n < s.nodeCount(); n++) {
            nodes += s.node(n).live > 0 ? 1 : 0;
        }
        DumpPayload.length(out, nodes);
        for (int n = 0; n < s.nodeCount(); n++) {
            StreamValue.Node node = s.node(n);
            if (node.live > 0) {
                writeNode(out, node);
            }
        }
        tail(out, s);
    }

    /** What follows the nodes: the length, last, first and largest deleted IDs, entries added, and the consumer groups. */
    static void tail(RdbBuffer out, StreamValue s) {
        DumpPayload.length(out, s.length());
        id(out, s.lastId.ms, s.lastId.seq);
        id(out, s.firstId.ms, s.firstId.seq);
        id(out, s.maxDeletedId.ms, s.maxDeletedId.seq);
        DumpPayload.length(out, s.entriesAdded);
        DumpPayload.length(out, s.groupCount());
        for (StreamGroup g : s.groups()) {
            DumpPayload.string(out, g.name);
            id(out, g.lastId.ms, g.lastId.seq);
            DumpPayload.length(out, g.entriesRead);
            DumpPayload.length(out, g.pel.size());
            for (StreamGroup.Pending p : g.pel.keySet()) {
                rawId(out, p.ms, p.seq);
                DumpPayload.littleEndian(out, p.deliveryTime, 8);
                DumpPayload.length(out, p.deliveryCount);
            }
            DumpPayload.length(out, g.consumers.size());
            for (StreamGroup.Consumer c : g.consumers.values()) {
                DumpPayload.string(out, c.name);
                DumpPayload.littleEndian(out, c.seenTime, 8);
                DumpPayload.length(out, c.pel.size());
                for (StreamGroup.Pending p : c.pel.keySet()) {
                    rawId(out, p.ms, p.seq);
                }
            }
        }
    }

    /** One node's live entries: its key (the master entry's ID) and its listpack. */
    static void writeNode(RdbBuffer out, StreamValue.Node node) {
        int master = 0;
        while (node.deleted(master)) {
            master++;
        }
        long masterMs = node.ms(master);
        long masterSeq = node.seq(master);
        byte[][] masterPairs = StreamValue.pairs(node, master);
        Listpack lp = new Listpack();
        lp.integer(node.live);
        lp.integer(0); // none deleted: deleted entries are left out
        lp.integer(masterPairs.length / 2);
        for (int k = 0; k < masterPairs.length; k += 2) {
            lp.string(masterPairs[k]);
        }
        lp.integer(0); // the master entry's terminator
        for (int i = master; i < node.count; i++) {
            if (node.deleted(i)) {
                continue;
            }
            byte[][] pairs = i == master ? masterPairs : StreamValue.pairs(node, i);
            boolean same = sameFields(pairs, masterPairs);
            lp.integer(same ? FLAG_SAMEFIELDS : 0);
            lp.integer(node.ms(i) - masterMs);
            lp.integer(node.seq(i) - masterSeq);
            int fields = pairs.length / 2;
            if (!same) {
                lp.integer(fields);
            }
            for (int k = 0; k < pairs.length; k++) {
                if (same && k % 2 == 0) {
                    continue;
                }
                lp.string(pairs[k]);
            }
            lp.integer(same ? fields + 3 : 2L * fields + 4);
        }
        ByteArrayOutputStream key = new ByteArrayOutputStream(16);
        rawId(key, masterMs, masterSeq);
        DumpPayload.string(out, key.toByteArray());
        DumpPayload.string(out, lp.bytes());
    }

    private static boolean sameFields(byte[][] pairs, byte[][] master) {
        if (pairs.length != master.length) {
            return false;
        }
        for (int k = 0; k < pairs.length; k += 2) {
            if (!Arrays.equals(pairs[k], master[k])) {
                return false;
            }
        }
        return true;
    }

    /** An ID as two RDB lengths. */
    private static void id(ByteArrayOutputStream out, long ms, long seq) {
        DumpPayload.length(out, ms);
        DumpPayload.length(out, seq);
    }

    /** An ID as 16 bytes, big-endian: a rax key. */
    private static void rawId(ByteArrayOutputStream out, long ms, long seq) {
        for (int k = 7; k >= 0; k--) {
            out.write((int) (ms >>> (8 * k)));
        }
        for (int k = 7; k >= 0; k--) {
            out.write((int) (seq >>> (8 * k)));
        }
    }

    /** A stream of type {@code type} (15 or 19) as {@code in} holds it next. */
    static StreamValue read(int type, DumpPayload.Reader in, Request scratch) throws DumpPayload.BadFormat {
        StreamValue s = new StreamValue();
        long nodes = in.length();
        // As Redis's rax, the nodes may come in any order (a save writes a node a command was about to change
        // first): read them all, then append their entries in ID order.
        java.util.TreeMap<Id, List<Entry>> byMaster = new java.util.TreeMap<>(
                (a, b) -> StreamId.compare(a.ms, a.seq, b.ms, b.seq));
        for (long n = 0; n < nodes; n++) {
            byte[] key = in.string();
            if (key.length != 16) {
                throw new DumpPayload.BadFormat("a stream node key of " + key.length + " bytes");
            }
            long masterMs = bigEndian(key, 0);
            long masterSeq = bigEndian(key, 8);
            List<Entry> entries = new java.util.ArrayList<>();
            if (byMaster.put(new Id(masterMs, masterSeq), entries) != null) {
                throw new DumpPayload.BadFormat("a stream node twice");
            }
            List<byte[]> lp = DumpPayload.listpack(in.string());
            int at = 0;
            long count = number(lp, at++);
            long deleted = number(lp, at++);
            int masterFields = (int) number(lp, at++);
            byte[][] fields = new byte[masterFields][];
            for (int f = 0; f < masterFields; f++) {
                fields[f] = element(lp, at++);
            }
            if (number(lp, at++) != 0) {
                throw new DumpPayload.BadFormat("a stream node's master entry without its terminator");
            }
            for (long e = 0; e < count + deleted; e++) {
                int flags = (int) number(lp, at++);
                long ms = masterMs + number(lp, at++);
                long seq = masterSeq + number(lp, at++);
                boolean same = (flags & FLAG_SAMEFIELDS) != 0;
                int pairs = same ? masterFields : (int) number(lp, at++);
                ByteArrayOutputStream packed = new ByteArrayOutputStream();
                int[] lengths = new int[2 * pairs];
                for (int k = 0; k < 2 * pairs; k++) {
                    byte[] b = same && k % 2 == 0 ? fields[k / 2] : element(lp, at++);
                    lengths[k] = b.length;
                    packed.writeBytes(b);
                }
                at++; // the entry's element count
                if ((flags & FLAG_DELETED) == 0) {
                    entries.add(new Entry(ms, seq, packed.toByteArray(), lengths));
                }
            }
            if (at != lp.size()) {
                throw new DumpPayload.BadFormat("a stream node of " + lp.size() + " elements, " + at + " read");
            }
        }
        long lastMs = 0;
        long lastSeq = 0;
        boolean any = false;
        for (List<Entry> entries : byMaster.values()) {
            for (Entry e : entries) {
                if (any && StreamId.compare(e.ms, e.seq, lastMs, lastSeq) <= 0) {
                    throw new DumpPayload.BadFormat("stream entries out of order");
                }
                scratch.reset(e.packed);
                int offset = 0;
                for (int length : e.lengths) {
                    scratch.add(offset, length);
                    offset += length;
                }
                s.append(e.ms, e.seq, scratch, 0, e.lengths.length);
                lastMs = e.ms;
                lastSeq = e.seq;
                any = true;
            }
        }
        long length = in.length();
        if (length != s.length()) {
            throw new DumpPayload.BadFormat("a stream of length " + length + " holding " + s.length() + " entries");
        }
        s.lastId.set(in.length(), in.length());
        if (type == STREAM_LISTPACKS_2) {
            s.firstId.set(in.length(), in.length());
            s.maxDeletedId.set(in.length(), in.length());
            s.entriesAdded = in.length();
        } else { // as Redis 7.0 loads a Redis 6 stream
            s.entriesAdded = s.length();
        }
        long groups = in.length();
        for (long g = 0; g < groups; g++) {
            byte[] name = in.string();
            long ms = in.length();
            long seq = in.length();
            long entriesRead = type == STREAM_LISTPACKS_2 ? in.length() : -1;
            StreamGroup group = new StreamGroup(name, ms, seq, entriesRead);
            if (s.group(name) != null) {
                throw new DumpPayload.BadFormat("a consumer group twice");
            }
            s.addGroup(group);
            Map<Id, long[]> pel = new HashMap<>();
            for (long p = in.length(); p > 0; p--) {
                byte[] id = in.bytes(16);
                pel.put(new Id(bigEndian(id, 0), bigEndian(id, 8)), new long[] {in.littleEndian(8), in.length()});
            }
            for (long c = in.length(); c > 0; c--) {
                byte[] consumerName = in.string();
                StreamGroup.Consumer consumer = group.consumer(consumerName, in.littleEndian(8));
                for (long p = in.length(); p > 0; p--) {
                    byte[] id = in.bytes(16);
                    Id pending = new Id(bigEndian(id, 0), bigEndian(id, 8));
                    long[] delivery = pel.remove(pending);
                    if (delivery == null) {
                        throw new DumpPayload.BadFormat("a consumer's pending entry not in its group's PEL");
                    }
                    group.deliver(pending.ms, pending.seq, consumer, delivery[0], delivery[1]);
                }
            }
            if (!pel.isEmpty()) {
                throw new DumpPayload.BadFormat("a pending entry of no consumer");
            }
        }
        return s;
    }

    /** A pending entry's ID while its group's PEL is read (delivery time and count) until a consumer claims it; a node's master ID. */
    private record Id(long ms, long seq) { }

    /** An entry read from a node: its ID, its fields and values packed, and their lengths. */
    private record Entry(long ms, long seq, byte[] packed, int[] lengths) { }

    private static long bigEndian(byte[] b, int from) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = v << 8 | (b[from + k] & 0xff);
        }
        return v;
    }

    private static byte[] element(List<byte[]> lp, int at) throws DumpPayload.BadFormat {
        if (at >= lp.size()) {
            throw new DumpPayload.BadFormat("a stream node that ends early");
        }
        return lp.get(at);
    }

    private static long number(List<byte[]> lp, int at) throws DumpPayload.BadFormat {
        byte[] b = element(lp, at);
        try {
            return Long.parseLong(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new DumpPayload.BadFormat("a stream node's number that is not one");
        }
    }

    /** A listpack being written: total bytes (4, little-endian), element count (2), entries, 0xFF. */
    private static final class Listpack {
        private final ByteArrayOutputStream entries = new ByteArrayOutputStream();
        private int count;

        void integer(long v) {
            int start = entries.size();
            if (v >= 0 && v <= 127) {
                entries.write((int) v);
            } else if (v >= -4096 && v <= 4095) {
                entries.write(0xc0 | (int) (v >> 8) & 0x1f);
                entries.write((int) v);
            } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                entries.write(0xf1);
                DumpPayload.littleEndian(entries, v, 2);
            } else if (v >= -(1 << 23) && v < 1 << 23) {
                entries.write(0xf2);
                DumpPayload.littleEndian(entries, v, 3);
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                entries.write(0xf3);
                DumpPayload.littleEndian(entries, v, 4);
            } else {
                entries.write(0xf4);
                DumpPayload.littleEndian(entries, v, 8);
            }
            backLength(entries.size() - start);
        }

        void string(byte[] b) {
            int start = entries.size();
            if (b.length < 64) {
                entries.write(0x80 | b.length);
            } else if (b.length < 4096) {
                entries.write(0xe0 | b.length >> 8);
                entries.write(b.length);
            } else {
                entries.write(0xf0);
                DumpPayload.littleEndian(entries, b.length, 4);
            }
            entries.writeBytes(b);
            backLength(entries.size() - start);
        }

        /** lpEncodeBacklen: the entry's length in 7-bit groups, most significant first, all but the first marked. */
        private void backLength(int length) {
            count++;
            int groups = length <= 127 ? 1 : length < 16383 ? 2 : length < 2097151 ? 3 : length < 268435455 ? 4 : 5;
            for (int g = groups - 1; g >= 0; g--) {
                int bits = (length >>> (7 * g)) & 127;
                entries.write(g == groups - 1 ? bits : bits | 128);
            }
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(entries.size() + 7);
            DumpPayload.littleEndian(out, entries.size() + 7L, 4);
            DumpPayload.littleEndian(out, Math.min(count, 65535), 2);
            out.writeBytes(entries.toByteArray());
            out.write(0xff);
            return out.toByteArray();
        }
    }
}
