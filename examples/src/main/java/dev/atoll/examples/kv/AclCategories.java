package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The ACL categories of each command, as Redis 7.0 assigns them (COMMAND INFO, ACL CAT, COMMAND LIST
 * FILTERBY ACLCAT): Redis's rule from its flags — write: {@code @write}, readonly: {@code @read},
 * admin: {@code @admin @dangerous}, pubsub: {@code @pubsub}, fast: {@code @fast} else {@code @slow},
 * blocking: {@code @blocking} — and the category of the command's group (generic: {@code @keyspace},
 * sorted-set: {@code @sortedset}, transactions: {@code @transaction}; server and cluster: none).
 * {@link #EXCEPTIONS} lists the commands whose categories Redis sets otherwise, as redis-server 7.0.15
 * answers them (KvAclAndAdminTest compares every command with it when it is installed).
 */
final class AclCategories {
    /** Redis's 21 categories in its order: ACL CAT's, and the order COMMAND INFO lists a command's. */
    static final List<String> ALL = List.of("keyspace", "read", "write", "set", "sortedset", "list", "hash",
            "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
            "dangerous", "connection", "transaction", "scripting");

    /**
     * Redis's own lists where the rule does not give them: commands with subcommands (their container
     * only has {@code @slow}; Redis puts the rest on the subcommands, which this table has not), the
     * {@code @dangerous} ones without the admin flag, and a few that Redis files elsewhere.
     */
    private static final Map<Command, String> EXCEPTIONS = new EnumMap<>(Map.ofEntries(
            Map.entry(Command.CLIENT, "slow"),
            Map.entry(Command.CONFIG, "slow"),
            Map.entry(Command.CLUSTER, "slow"),
            Map.entry(Command.PUBSUB, "slow"),
            Map.entry(Command.SLOWLOG, "slow"),
            Map.entry(Command.OBJECT, "slow"),
            Map.entry(Command.MEMORY, "slow"),
            Map.entry(Command.XINFO, "slow"),
            Map.entry(Command.XGROUP, "slow"),
            Map.entry(Command.ACL, "slow"),
            Map.entry(Command.LATENCY, "slow"),
            Map.entry(Command.COMMAND, "slow connection"),
            Map.entry(Command.WAIT, "slow connection"),
            Map.entry(Command.READONLY, "fast connection"),
            Map.entry(Command.READWRITE, "fast connection"),
            Map.entry(Command.ASKING, "fast connection"),
            Map.entry(Command.LASTSAVE, "admin fast dangerous"),
            Map.entry(Command.SAVE, "admin slow dangerous"),
            Map.entry(Command.BGSAVE, "admin slow dangerous"),
            Map.entry(Command.ROLE, "admin fast dangerous"),
            Map.entry(Command.SYNC, "admin slow dangerous"),
            Map.entry(Command.PSYNC, "admin slow dangerous"),
            Map.entry(Command.REPLCONF, "admin slow dangerous"),
            Map.entry(Command.SWAPDB, "keyspace write fast dangerous"),
            Map.entry(Command.RESTORE, "keyspace write slow dangerous"),
            Map.entry(Command.RESTORE_ASKING, "keyspace write slow dangerous"),
            Map.entry(Command.MIGRATE, "keyspace write slow dangerous"), // its flags say write only; Redis's @dangerous too
            Map.entry(Command.SORT, "write set sortedset list slow dangerous"),
            Map.entry(Command.SORT_RO, "read set sortedset list slow dangerous"),
            Map.entry(Command.KEYS, "keyspace read slow dangerous"),
            Map.entry(Command.DBSIZE, "keyspace read fast"),
            Map.entry(Command.FLUSHALL, "keyspace write slow dangerous"),
            Map.entry(Command.FLUSHDB, "keyspace write slow dangerous"),
            Map.entry(Command.INFO, "slow dangerous")));

    private static final Map<Command, List<String>> OF = new EnumMap<>(Command.class);

    static {
        for (Command c : Command.values()) {
            String listed = EXCEPTIONS.get(c);
            List<String> categories = listed != null ? List.of(listed.split(" ")) : derived(c);
            OF.put(c, ALL.stream().filter(categories::contains).toList());
        }
    }

    private AclCategories() {
    }

    /** The categories of {@code c}, without the {@code @}, in Redis's order. */
    static List<String> of(Command c) {
        return OF.get(c);
    }

    /** The commands in {@code category} (a known one), in the table's order. */
    static List<Command> commandsIn(String category) {
        List<Command> in = new ArrayList<>();
        for (Command c : Command.values()) {
            if (OF.get(c).contains(category)) {
                in.add(c);
            }
        }
        return in;
    }

    private static List<String> derived(Command c) {
        List<String> flags = List.of(c.flags);
        List<String> categories = new ArrayList<>();
        switch (c.group) {
            case "generic" -> categories.add("keyspace");
            case "sorted-set" -> categories.add("sortedset");
            case "transactions" -> categories.add("transaction");
            case "server", "cluster" -> { }
            case "scripting" -> { // as Redis: SCRIPT's and FUNCTION's @scripting is their subcommands'
                if (c != Command.SCRIPT && c != Command.FUNCTION) {
                    categories.add(c.group);
                }
            }
            default -> categories.add(c.group);
        }
        if (flags.contains("write")) {
            categories.add("write");
        }
        if (flags.contains("readonly") && !c.group.equals("scripting")) { // EVAL_RO, FCALL_RO: no @read in Redis
            categories.add("read");
        }
        if (flags.contains("admin")) {
            categories.add("admin");
            categories.add("dangerous");
        }
        if (flags.contains("pubsub")) {
            categories.add("pubsub");
        }
        categories.add(flags.contains("fast") ? "fast" : "slow");
        if (flags.contains("blocking")) {
            categories.add("blocking");
        }
        return categories;
    }
}
