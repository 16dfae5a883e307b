package dev.atoll.examples.kv;

/**
 * Where a command's keys are among its arguments (for locks, WATCH and transactions; not on the
 * fast path: it allocates the answer).
 */
final class CommandKeys {
    private static final int[] NONE = new int[0];

    private CommandKeys() {
    }

    /** The indexes of the arguments of {@code r} that are keys of {@code command}. */
    static int[] indexes(Command command, Request r) {
        int count = r.count();
        return switch (command.kind) {
            case KEY -> {
                int at = command.keyIndex(count);
                yield at < 0 ? NONE : new int[] {at};
            }
            case ONE_SHARD, MULTI_KEY -> {
                if (command == Command.MSET || command == Command.MSETNX) {
                    int[] keys = new int[(count - 1) / 2];
                    for (int k = 0; k < keys.length; k++) {
                        keys[k] = 1 + 2 * k;
                    }
                    yield keys;
                }
                int last = command.kind == Command.Kind.ONE_SHARD ? Math.min(2, count - 1) : count - 1;
                int[] keys = new int[last];
                for (int k = 0; k < last; k++) {
                    keys[k] = 1 + k;
                }
                yield keys;
            }
            default -> NONE;
        };
    }
}
