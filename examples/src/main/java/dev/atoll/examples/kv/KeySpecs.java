package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The flags of each command's key specs as redis-server 7.0.15 lists them in COMMAND INFO (read from
 * its own answers, {@link CommandFacts}), for COMMAND GETKEYSANDFLAGS: a command's first key takes its
 * first spec's flags, the others its second's (Redis's order: source then destination, or destination
 * then sources); a spec of {@code not_key} (shard channels) names no key.
 */
final class KeySpecs {
    /** Per command with key specs: each spec's flags, space-separated. */
    private static final class Holder {
        static final Map<Command, String[]> FLAGS = load();
        /** Per command with key specs: the ACL permissions each spec's flags need ({@link #aclFlags(String)}), read once. */
        static final Map<Command, int[]> ACL = acl(FLAGS);
    }

    private static Map<Command, int[]> acl(Map<Command, String[]> flags) {
        Map<Command, int[]> acl = new EnumMap<>(Command.class);
        flags.forEach((c, specs) -> {
            int[] each = new int[specs.length];
            for (int i = 0; i < specs.length; i++) {
                each[i] = aclFlags(List.of(specs[i].strip().split(" ")));
            }
            acl.put(c, each);
        });
        return acl;
    }

    private static Map<Command, String[]> load() {
        Map<Command, String[]> flags = new EnumMap<>(Command.class);
        for (Command c : Command.values()) {
            String[] each = specFlags(CommandFacts.of(c.lowerName));
            if (each != null) {
                flags.put(c, each);
            }
        }
        return flags;
    }

    /** Each key spec's flags, space-separated, of the command or subcommand of {@code facts}; null when it has none. */
    private static String[] specFlags(CommandFacts.Facts facts) {
        List<Object> specs = facts == null ? List.of() : CommandFacts.items(facts.info().get(8));
        if (specs.isEmpty()) {
            return null;
        }
        String[] each = new String[specs.size()];
        for (int i = 0; i < each.length; i++) {
            List<String> words = new ArrayList<>();
            for (Object flag : CommandFacts.items(((CommandFacts.RespMap) specs.get(i)).get("flags"))) {
                words.add(((String) flag).substring(1));
            }
            each[i] = String.join(" ", words);
        }
        return each;
    }

    private KeySpecs() {
    }

    /** Whether {@code c} has keys by its specs (Redis's "The command has no key arguments" otherwise). */
    static boolean hasKeys(Command c) {
        String[] specs = Holder.FLAGS.get(c);
        return c == Command.OBJECT || c == Command.MEMORY || c == Command.XINFO || c == Command.XGROUP
                || specs != null && !specs[0].equals("not_key");
    }

    /**
     * The flags of key number {@code k} of {@code c} with the arguments of {@code r}: Redis's
     * variable flags resolved as it does (SET without GET overwrites; BITFIELD of GETs only reads).
     */
    static List<String> flags(Command c, int k, Request r) {
        if (c == Command.SET && !hasArgument(r, GET)) {
            return List.of("OW", "update");
        }
        if (c == Command.BITFIELD && readsOnly(r)) {
            return List.of("RO", "access");
        }
        String[] specs = Holder.FLAGS.get(c);
        if (specs == null) { // OBJECT, MEMORY USAGE, XINFO, XGROUP: their subcommand's specs (argument 1)
            specs = r.count() < 2 ? null : specFlags(CommandFacts.of(c.lowerName + "|" + r.string(1).toLowerCase(java.util.Locale.ROOT)));
            if (specs == null) {
                return List.of();
            }
        }
        // SORT's second spec is its BY/GET patterns (no key GETKEYS lists): its STORE key takes the third
        int spec = c == Command.SORT && k > 0 ? specs.length - 1 : Math.min(k, specs.length - 1);
        List<String> flags = new ArrayList<>(List.of(specs[spec].strip().split(" ")));
        flags.remove("variable_flags");
        return flags;
    }

    /**
     * The ACL permissions key number {@code k} needs, as Redis 7.0 derives them from its spec's flags:
     * {@code access} reads ({@link AclSelector#READ}), {@code insert}, {@code delete}, {@code update}
     * write ({@link AclSelector#WRITE}); a key with none of them (EXISTS, TYPE) needs neither.
     */
    static int aclFlags(Command c, int k, Request r) {
        if (c == Command.SET && !hasArgument(r, GET)) {
            return AclSelector.WRITE; // variable flags: SET without GET overwrites (OW update)
        }
        if (c == Command.BITFIELD && readsOnly(r)) {
            return AclSelector.READ; // BITFIELD of GETs only reads (RO access)
        }
        int[] specs = Holder.ACL.get(c);
        if (specs == null) { // OBJECT, MEMORY USAGE, XINFO, XGROUP: their subcommands' specs
            // (OBJECT's and MEMORY's RO without access; XINFO's RO access; XGROUP's RW insert, update or delete)
            return c == Command.XINFO ? AclSelector.READ : c == Command.XGROUP ? AclSelector.WRITE : 0;
        }
        return specs[c == Command.SORT && k > 0 ? specs.length - 1 : Math.min(k, specs.length - 1)];
    }

    /** The ACL permissions of a spec's flags: {@code access} reads, {@code insert}, {@code delete}, {@code update} write. */
    private static int aclFlags(List<String> flags) {
        int needed = 0;
        for (String flag : flags) {
            switch (flag) {
                case "access" -> needed |= AclSelector.READ;
                case "insert", "delete", "update" -> needed |= AclSelector.WRITE;
                default -> { }
            }
        }
        return needed;
    }

    private static final byte[] GET = ReplyWriter.asciiBytes("get");
    private static final byte[] SET = ReplyWriter.asciiBytes("set");
    private static final byte[] INCRBY = ReplyWriter.asciiBytes("incrby");

    private static boolean hasArgument(Request r, byte[] word) {
        for (int i = 3; i < r.count(); i++) {
            if (r.is(i, word)) {
                return true;
            }
        }
        return false;
    }

    private static boolean readsOnly(Request r) {
        for (int i = 2; i < r.count(); i++) {
            if (r.is(i, SET) || r.is(i, INCRBY)) {
                return false;
            }
        }
        return true;
    }
}
