package dev.atoll.examples.kv;

/**
 * Where a command's keys are among its arguments: {@link #indexes} for locks, WATCH and transactions (not on the
 * fast path: it allocates the answer); {@link #range}, which allocates nothing, for the ACL check.
 */
final class CommandKeys {
    private static final int[] NONE = new int[0];
    private static final byte[] STREAMS = ReplyWriter.asciiBytes("streams");

    private CommandKeys() {
    }

    /** The indexes of the arguments of {@code r} that are keys of {@code command}. */
    static int[] indexes(Command command, Request r) {
        int count = r.count();
        return switch (command.kind) {
            case KEY -> {
                int at = command.keyIndex(count);
                int store = SortCommand.storeIndex(command, r);
                yield at < 0 ? NONE : store < 0 ? new int[] {at} : new int[] {at, store};
            }
            case ONE_SHARD, MULTI_KEY -> spread(command, range(command, r));
            case GATHER -> {
                int[] keys = ZSetAlgebra.keys(command, r, null);
                yield keys == null ? NONE : keys;
            }
            default -> NONE;
        };
    }

    /** What {@link #range} answers for keys that are not one run: ZUNIONSTORE's destination, then its sources after numkeys. */
    static final long NOT_A_RUN = -1;

    /**
     * The keys of a command of several keys as one run, found without allocating (the ACL check of MSET, DEL,
     * SINTER...): its first index in the low 32 bits, its last in the high ones (below the first: none), every
     * {@link #step}th argument between; {@link #NOT_A_RUN} for a KEY or GATHER command, whose keys are not one.
     */
    static long range(Command c, Request r) {
        int n = r.count();
        int first;
        int last;
        switch (c) {
            case LMPOP, BLMPOP, BZMPOP -> {
                first = c == Command.LMPOP ? 2 : 3;
                boolean valid = r.longAt(first - 1) && r.number >= 1 && r.number <= n - first;
                last = valid ? first + (int) r.number - 1 : first - 1;
            }
            case XREAD -> {
                int streams = 1;
                while (streams < n && !r.is(streams, STREAMS)) {
                    streams++;
                }
                int pairs = (n - streams - 1) / 2;
                boolean valid = streams < n && (n - streams - 1) % 2 == 0 && pairs > 0;
                first = streams + 1;
                last = valid ? streams + pairs : first - 1;
            }
            case MSET, MSETNX -> {
                first = 1;
                last = 2 * ((n - 1) / 2) - 1;
            }
            default -> {
                switch (c.kind) {
                    case KEY, GATHER -> {
                        return NOT_A_RUN;
                    }
                    case ONE_SHARD -> {
                        first = c.oneShardFirstKey(r);
                        last = c.oneShardLastKey(r); // SINTERCARD's numkeys wrong: none, the command answers its error where it runs
                    }
                    case MULTI_KEY -> {
                        first = 1;
                        last = n - 1;
                    }
                    default -> {
                        first = c.firstKey();
                        last = first == 0 ? -1 : c.lastKey(n);
                    }
                }
            }
        }
        return (first & 0xFFFFFFFFL) | (long) last << 32;
    }

    /** The first key of a {@link #range}. */
    static int first(long range) {
        return (int) range;
    }

    /** The last key of a {@link #range}: below its first when there is none. */
    static int last(long range) {
        return (int) (range >> 32);
    }

    /** The distance between the keys of {@code c}'s {@link #range}. */
    static int step(Command c) {
        return c == Command.MSET || c == Command.MSETNX ? 2 : c.kind == Command.Kind.ONE_SHARD || c.kind == Command.Kind.MULTI_KEY
                || c.keyStep() == 0 ? 1 : c.keyStep();
    }

    /** The indexes of a {@link #range}. */
    static int[] spread(Command c, long range) {
        int step = step(c);
        int first = first(range);
        int[] keys = new int[last(range) < first ? 0 : (last(range) - first) / step + 1];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = first + k * step;
        }
        return keys;
    }
}
