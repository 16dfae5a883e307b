package dev.atoll.examples.kv;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One shard's part of Redis's slow log: the commands that took {@code slowlog-log-slower-than} or more
 * to execute on this shard, newest first, at most {@code slowlog-max-len}. An entry holds what Redis's
 * does: an id (ascending over the whole server), the Unix time, the microseconds, the arguments (at most
 * 32, each at most 128 bytes, with Redis's "... (N more ...)" markers), the client's address and name.
 * SLOWLOG GET merges the shards' entries by id. Touched by its shard's thread only.
 */
final class SlowLog {
    private static final int MAX_ARGS = 32;
    private static final int MAX_ARG_BYTES = 128;

    /** One slow command. */
    record Entry(long id, long unixSeconds, long micros, List<byte[]> args, String client, String name) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    /** Whether a command of {@code nanos} is slow under {@code limits}. */
    static boolean slow(long nanos, KvSettings.SlowLogLimits limits) {
        return limits.slowerThanMicros() >= 0 && nanos >= limits.slowerThanMicros() * 1000;
    }

    /** Keeps the command of {@code r}, run for {@code c} (null: unknown), as the newest entry; {@code node} gives its id. */
    void add(KvNode node, Request r, long nanos, KvConnection c, KvSettings.SlowLogLimits limits) {
        int count = r.count();
        int kept = count > MAX_ARGS ? MAX_ARGS - 1 : count;
        List<byte[]> args = new ArrayList<>(kept + 1);
        for (int i = 0; i < kept; i++) {
            int length = r.length(i);
            if (length > MAX_ARG_BYTES) {
                byte[] cut = Arrays.copyOfRange(r.bytes, r.offset(i), r.offset(i) + MAX_ARG_BYTES);
                byte[] more = ReplyWriter.asciiBytes("... (" + (length - MAX_ARG_BYTES) + " more bytes)");
                byte[] arg = Arrays.copyOf(cut, cut.length + more.length);
                System.arraycopy(more, 0, arg, cut.length, more.length);
                args.add(arg);
            } else {
                args.add(r.copy(i));
            }
        }
        if (count > MAX_ARGS) {
            args.add(ReplyWriter.asciiBytes("... (" + (count - kept) + " more arguments)"));
        }
        entries.addFirst(new Entry(node == null ? 0 : node.slowLogIds.getAndIncrement(), System.currentTimeMillis() / 1000, nanos / 1000,
                List.copyOf(args), c == null ? "" : c.peer, c == null || c.name == null ? "" : c.name));
        trim(limits.maxLen());
    }

    private void trim(int maxLen) {
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    /** The newest {@code count} entries (a copy, for another shard's thread), after the length limit is applied. */
    List<Entry> newest(long count, KvSettings.SlowLogLimits limits) {
        trim(limits.maxLen());
        List<Entry> newest = new ArrayList<>();
        for (Entry e : entries) {
            if (newest.size() >= count) {
                break;
            }
            newest.add(e);
        }
        return newest;
    }

    int size(KvSettings.SlowLogLimits limits) {
        trim(limits.maxLen());
        return entries.size();
    }

    void reset() {
        entries.clear();
    }
}
