package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of INFO commandstats, as Redis 7 counts them: one per command, and for a container command
 * one per subcommand instead ({@code cmdstat_client|list}, {@code cmdstat_config|get}); a container sent
 * alone ({@code COMMAND}) counts as itself, an unknown subcommand nowhere but in errorstats. A row is a
 * slot in the per-shard counter arrays: a command's ordinal, then the subcommands after every command.
 */
final class CommandStats {
    private static final Command[] COMMANDS = Command.values();
    /**
     * The subcommands served here of Redis 7.0's container commands (CLIENT SETINFO is 7.2's); one Redis has
     * and this server does not is unknown here, and counts in no row, as an unknown one does in Redis.
     */
    private static final Map<Command, List<String>> SUBCOMMANDS = new EnumMap<>(Map.of(
            Command.CLIENT, List.of("getname", "getredir", "help", "id", "info", "kill", "list", "no-evict", "pause", "setinfo", "setname",
                    "tracking", "trackinginfo", "unblock", "unpause"),
            Command.CONFIG, List.of("get", "help", "resetstat", "rewrite", "set"),
            Command.COMMAND, List.of("count", "docs", "getkeys", "getkeysandflags", "help", "info", "list"),
            Command.OBJECT, List.of("encoding", "freq", "help", "idletime", "refcount"),
            Command.PUBSUB, List.of("channels", "help", "numpat", "numsub", "shardchannels", "shardnumsub"),
            Command.CLUSTER, List.of("info", "keyslot", "myid", "nodes", "shards", "slots"),
            Command.MEMORY, List.of("help", "malloc-stats", "purge", "stats", "usage"),
            Command.SLOWLOG, List.of("get", "help", "len", "reset"),
            Command.XINFO, List.of("consumers", "groups", "help", "stream"),
            Command.XGROUP, List.of("create", "createconsumer", "delconsumer", "destroy", "help", "setid")));
    /** Per command ordinal: the slot of its first subcommand, or -1 for a command without any. */
    private static final int[] FIRST_SUB = new int[COMMANDS.length];
    /** Per slot past the commands: its subcommand's lower-case name, and its container. */
    private static final byte[][] SUB_NAMES;
    private static final Command[] SUB_CONTAINERS;
    /** How many rows: the length of the counter arrays. */
    static final int SLOTS;

    static {
        SUBCOMMANDS.put(Command.LATENCY, List.of("doctor", "graph", "help", "histogram", "history", "latest", "reset"));
        List<byte[]> names = new ArrayList<>();
        List<Command> containers = new ArrayList<>();
        for (Command c : COMMANDS) {
            List<String> subs = SUBCOMMANDS.get(c);
            FIRST_SUB[c.ordinal()] = subs == null ? -1 : COMMANDS.length + names.size();
            if (subs != null) {
                for (String sub : subs) {
                    names.add(ReplyWriter.asciiBytes(sub));
                    containers.add(c);
                }
            }
        }
        SUB_NAMES = names.toArray(byte[][]::new);
        SUB_CONTAINERS = containers.toArray(Command[]::new);
        SLOTS = COMMANDS.length + SUB_NAMES.length;
    }

    private CommandStats() {
    }

    /** The row {@code command} with the arguments of {@code r} counts in; -1: none (an unknown subcommand). */
    static int slot(Command command, Request r) {
        int first = FIRST_SUB[command.ordinal()];
        if (first < 0 || r.count() < 2) {
            return command.ordinal();
        }
        for (int s = first; s < SLOTS && SUB_CONTAINERS[s - COMMANDS.length] == command; s++) {
            if (r.is(1, SUB_NAMES[s - COMMANDS.length])) {
                return s;
            }
        }
        return -1;
    }

    /** The row's name as INFO prints it after {@code cmdstat_}: {@code get}, {@code client|list}. */
    static String name(int slot) {
        if (slot < COMMANDS.length) {
            return COMMANDS[slot].lowerName;
        }
        int sub = slot - COMMANDS.length;
        return SUB_CONTAINERS[sub].lowerName + "|" + new String(SUB_NAMES[sub], java.nio.charset.StandardCharsets.US_ASCII);
    }
}
