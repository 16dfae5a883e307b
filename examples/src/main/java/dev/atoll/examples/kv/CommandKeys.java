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
                int store = SortCommand.storeIndex(command, r);
                yield at < 0 ? NONE : store < 0 ? new int[] {at} : new int[] {at, store};
            }
            case ONE_SHARD, MULTI_KEY -> {
                if (command == Command.MSET || command == Command.MSETNX) {
                    int[] keys = new int[(count - 1) / 2];
                    for (int k = 0; k < keys.length; k++) {
                        keys[k] = 1 + 2 * k;
                    }
                    yield keys;
                }
                int first = command.kind == Command.Kind.ONE_SHARD ? command.oneShardFirstKey(r) : 1;
                int last = command.kind == Command.Kind.ONE_SHARD ? command.oneShardLastKey(r) : count - 1;
                if (last < first) {
                    yield NONE; // SINTERCARD's numkeys is wrong: the command answers its error where it runs
                }
                int[] keys = new int[last - first + 1];
                for (int k = 0; k < keys.length; k++) {
                    keys[k] = first + k;
                }
                yield keys;
            }
            case GATHER -> {
                int[] keys = ZSetAlgebra.keys(command, r, null);
                yield keys == null ? NONE : keys;
            }
            default -> NONE;
        };
    }
}
