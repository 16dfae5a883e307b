package dev.atoll.examples.kv;

import java.util.Map;
import java.util.TreeMap;

/**
 * One shard's error replies, as Redis 7.0 counts them for INFO: every error reply sent
 * ({@code total_error_replies}), per code — the error's first word, {@code ERR}, {@code WRONGTYPE}, ...
 * ({@code # Errorstats}) — and per command, the calls refused before they ran ({@code rejected_calls}:
 * wrong arity, NOAUTH, OOM, MISCONF, ...) and the calls that ran and answered an error
 * ({@code failed_calls}, at most one per call). {@link ReplyWriter#error} counts every error on the
 * thread that writes it, so each shard thread has its own instance ({@link #current()}) and INFO sums
 * the shards' as it sums their other counters; errors are not a hot path, so the thread-local lookup
 * costs nothing that matters.
 */
final class ErrorStats {
    /** Redis's {@code ERROR_STATS_NUMBER}: codes beyond this many distinct ones count in the total only. */
    static final int MAX_CODES = 128;

    private static final ThreadLocal<ErrorStats> CURRENT = ThreadLocal.withInitial(ErrorStats::new);

    /** The instance of the calling thread (a shard's, on a shard thread). */
    static ErrorStats current() {
        return CURRENT.get();
    }

    long total;
    private final TreeMap<String, long[]> byCode = new TreeMap<>();
    /** Per row of {@link CommandStats}. */
    final long[] rejected = new long[CommandStats.SLOTS];
    final long[] failed = new long[CommandStats.SLOTS];

    /** The row of the command running on this thread (its errors are its failure), or -1 between commands. */
    private int running = -1;
    /** Whether {@link #running} already answered an error: a call fails once, however many errors it sends. */
    private boolean runningFailed;

    /** An error reply of {@code text} (it starts with its code) is sent. */
    void count(String text) {
        total++;
        int space = text.indexOf(' ');
        // Redis looks for the space within the first 32 characters and falls back to ERR without one.
        String code = space > 0 && space < 32 ? text.substring(0, space) : "ERR";
        long[] count = byCode.get(code);
        if (count == null && byCode.size() < MAX_CODES) {
            byCode.put(code, count = new long[1]);
        }
        if (count != null) {
            count[0]++;
        }
        if (running >= 0 && !runningFailed) {
            runningFailed = true;
            failed[running]++;
        }
    }

    /**
     * {@code command} starts running: its errors from here to {@link #end} make it a failed call. Returns what
     * to give {@link #end}, so that a command run inside another (a transaction's) is a scope of its own.
     */
    int begin(Command command) {
        return begin(command.ordinal());
    }

    /** {@link #begin(Command)} of the command of {@link CommandStats} row {@code slot} (-1: counted nowhere). */
    int begin(int slot) {
        int saved = (running + 1) << 1 | (runningFailed ? 1 : 0);
        running = slot;
        runningFailed = false;
        return saved;
    }

    /** The command begun last ends; the one {@code saved} from {@link #begin} runs again. */
    void end(int saved) {
        running = (saved >> 1) - 1;
        runningFailed = (saved & 1) != 0;
    }

    /**
     * {@code command}'s error answered after its dispatch, when the answer came back through the mesh (a
     * command across shards): the error counts as any other, and the call as failed.
     */
    static void answerFailed(Command command, ReplyWriter out, String error) {
        ErrorStats stats = current();
        int outer = stats.begin(command);
        try {
            out.error(error);
        } finally {
            stats.end(outer);
        }
    }

    /** {@code command} was refused before it ran. */
    void rejected(Command command) {
        rejected(command.ordinal());
    }

    /** The command of {@link CommandStats} row {@code slot} was refused before it ran (-1: counted nowhere). */
    void rejected(int slot) {
        if (slot >= 0) {
            rejected[slot]++;
        }
    }

    /** The counts per code, in code order (a copy, for INFO on another thread). */
    Map<String, Long> codes() {
        TreeMap<String, Long> copy = new TreeMap<>();
        byCode.forEach((code, count) -> copy.put(code, count[0]));
        return copy;
    }

    /** CONFIG RESETSTAT. */
    void clear() {
        total = 0;
        byCode.clear();
        java.util.Arrays.fill(rejected, 0);
        java.util.Arrays.fill(failed, 0);
    }
}
