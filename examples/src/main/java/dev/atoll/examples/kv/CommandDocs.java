package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * COMMAND, COMMAND COUNT, COMMAND LIST, COMMAND INFO and COMMAND DOCS, from the facts in
 * {@link Command} (name, arity, flags, key positions, ACL categories) and, for the tips, key specs,
 * subcommands and docs, redis-server 7.0.15's own answers ({@link CommandFacts}): what {@code
 * redis-cli} asks at start for its hints, and what client libraries use to find keys.
 */
final class CommandDocs {
    /** The subcommands as Redis 7.0 lists them; the explanations are this server's. */
    private static final String[] HELP = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about every command.",
        "COUNT",
        "    Return the number of commands.",
        "LIST",
        "    Return the names of the commands (FILTERBY MODULE, ACLCAT or PATTERN).",
        "INFO [<command-name> ...]",
        "    Return details about commands (default: all).",
        "DOCS [<command-name> ...]",
        "    Return documentation about commands (default: all).",
        "GETKEYS <full-command>",
        "    Return the keys of a full command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys of a full command and how it uses each.",
        "HELP",
        "    Prints this help."};

    private CommandDocs() {
    }

    static void command(Request r, ReplyWriter out) {
        if (r.count() == 1) {
            out.arrayHeader(Command.values().length);
            for (Command c : Command.values()) {
                info(c, out);
            }
            return;
        }
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "count" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("command|count"));
                } else {
                    out.integer(Command.values().length);
                }
            }
            case "list" -> list(r, out);
            case "getkeys", "getkeysandflags" -> {
                if (r.count() < 4) {
                    out.error(KvConnection.wrongArity("command|" + sub));
                } else {
                    getKeys(r, sub.equals("getkeysandflags"), out);
                }
            }
            case "help" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("command|help"));
                    return;
                }
                out.helpLines(HELP);
            }
            case "info" -> {
                if (r.count() == 2) { // as COMMAND: every command
                    out.arrayHeader(Command.values().length);
                    for (Command c : Command.values()) {
                        info(c, out);
                    }
                    return;
                }
                out.arrayHeader(r.count() - 2);
                for (int i = 2; i < r.count(); i++) {
                    String name = r.string(i).toLowerCase(Locale.ROOT);
                    Command c = named(name);
                    CommandFacts.Facts subFacts = c == null ? subcommand(name) : null;
                    if (c != null) {
                        info(c, out);
                    } else if (subFacts != null) {
                        CommandFacts.write(subFacts.info(), out);
                    } else {
                        out.nullBulk(); // Redis's addReplyNull: $-1 in RESP2
                    }
                }
            }
            case "docs" -> docs(r, out);
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try COMMAND HELP.");
        }
    }

    /**
     * COMMAND DOCS [name ...]: every command's docs, or those of the names given that are commands or
     * subcommands ({@code config|get}), the others left out, as Redis does.
     */
    private static void docs(Request r, ReplyWriter out) {
        List<String> names = new ArrayList<>();
        if (r.count() == 2) {
            for (Command c : Command.values()) {
                names.add(c.lowerName);
            }
        }
        for (int i = 2; i < r.count(); i++) {
            String name = r.string(i).toLowerCase(Locale.ROOT);
            if (named(name) != null || subcommand(name) != null) {
                names.add(name);
            }
        }
        out.mapHeader(names.size());
        for (String name : names) {
            out.bulk(name);
            CommandFacts.Facts facts = CommandFacts.of(name);
            if (facts != null && facts.docs() != null) { // Redis's own docs: summary, since, group, complexity, history, arguments, subcommands
                CommandFacts.write(facts.docs(), out);
                continue;
            }
            Command c = named(name);
            out.mapHeader(5)
                    .bulk("summary").bulk(c.summary)
                    .bulk("since").bulk(c.since)
                    .bulk("group").bulk(c.group)
                    .bulk("complexity").bulk(c.kind == Command.Kind.ALL_SHARDS ? "O(N)" : "O(1)")
                    .bulk("arguments").raw(ReplyWriter.EMPTY_ARRAY);
        }
    }

    /**
     * Redis's facts of subcommand {@code name} ({@code config|get}, lower case) of a command this server
     * has, as Redis's {@code lookupCommandBySds} finds it; null when it is not one.
     */
    private static CommandFacts.Facts subcommand(String name) {
        int bar = name.indexOf('|');
        return bar > 0 && named(name.substring(0, bar)) != null ? CommandFacts.of(name) : null;
    }

    /** The command called {@code name} in any case, or null. */
    static Command named(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Command c : Command.values()) {
            if (c.lowerName.equals(lower)) {
                return c;
            }
        }
        return null;
    }

    /**
     * COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]: every command and, after it,
     * its subcommands by their full names ({@code config|get}), as Redis lists them; as Redis, no module
     * has commands, and the pattern matches the full name in any case.
     */
    private static void list(Request r, ReplyWriter out) {
        String by = "";
        if (r.count() != 2) {
            by = r.count() == 5 && r.string(2).equalsIgnoreCase("filterby") ? r.string(3).toLowerCase(Locale.ROOT) : "";
            if (!by.equals("module") && !by.equals("aclcat") && !by.equals("pattern")) {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        String argument = r.count() == 5 ? r.string(4).toLowerCase(Locale.ROOT) : "";
        byte[] pattern = argument.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<String> listed = new ArrayList<>();
        for (Command c : Command.values()) {
            if (listedBy(by, argument, pattern, c.lowerName, AclCategories.of(c))) {
                listed.add(c.lowerName);
            }
            CommandFacts.Facts facts = CommandFacts.of(c.lowerName);
            for (Object sub : facts == null ? List.of() : CommandFacts.subcommands(facts.info())) {
                List<?> entry = (List<?>) sub;
                String name = ((String) entry.get(0)).substring(1);
                if (by.equals("aclcat") ? CommandFacts.items(entry.get(6)).contains("+@" + argument)
                        : listedBy(by, argument, pattern, name, List.of())) {
                    listed.add(name);
                }
            }
        }
        out.arrayHeader(listed.size());
        listed.forEach(out::bulk);
    }

    /** Whether COMMAND LIST's filter {@code by} (empty: none) keeps the command {@code name} of ACL categories {@code categories}. */
    private static boolean listedBy(String by, String argument, byte[] pattern, String name, List<String> categories) {
        return switch (by) {
            case "" -> true;
            case "module" -> false;
            case "aclcat" -> categories.contains(argument);
            default -> Glob.matches(pattern, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        };
    }

    /**
     * COMMAND GETKEYS and GETKEYSANDFLAGS command [arg ...]: the keys where the server finds them
     * ({@link CommandKeys}, else the command's key positions), with Redis's errors and, for the
     * second, each key's flags by its key spec ({@link KeySpecs}).
     */
    private static void getKeys(Request r, boolean withFlags, ReplyWriter out) {
        Command c = named(r.string(2));
        CommandFacts.Facts facts = c == null ? null : CommandFacts.of(c.lowerName);
        List<Object> subcommands = facts == null ? List.of() : CommandFacts.subcommands(facts.info());
        // As Redis's lookupCommand: a container's subcommand (OBJECT ENCODING) is the command whose keys and arity count.
        CommandFacts.Facts sub = subcommands.isEmpty() || r.count() < 4 ? null
                : CommandFacts.of(c.lowerName + "|" + r.string(3).toLowerCase(Locale.ROOT));
        if (c == null || !subcommands.isEmpty() && r.count() >= 4 && sub == null) {
            out.error("ERR Invalid command specified");
            return;
        }
        if (sub != null ? CommandFacts.items(sub.info().get(8)).isEmpty() : !subcommands.isEmpty() || !KeySpecs.hasKeys(c)) {
            out.error("ERR The command has no key arguments");
            return;
        }
        Request inner = new Request();
        inner.reset(r.bytes);
        for (int i = 2; i < r.count(); i++) {
            inner.add(r.offset(i), r.length(i));
        }
        long arity = sub != null ? (Long) sub.info().get(1) : c.arity;
        if (arity > 0 ? inner.count() != arity : inner.count() < -arity) {
            out.error("ERR Invalid number of arguments specified for command");
            return;
        }
        int[] keys = keyIndexes(c, inner);
        Arrays.sort(keys); // in the order of the arguments, as Redis (GEORADIUS's STORE key last)
        if (keys.length == 0 && facts != null && CommandFacts.items(facts.info().get(2)).contains("+no_mandatory_keys")) {
            out.arrayHeader(0); // EVAL s 0: keys may be none
            return;
        }
        if (keys.length == 0) {
            out.error("ERR Invalid arguments specified for command");
            return;
        }
        out.arrayHeader(keys.length);
        for (int k = 0; k < keys.length; k++) {
            if (withFlags) {
                List<String> flags = KeySpecs.flags(c, k, inner);
                out.arrayHeader(2).bulk(inner.bytes, inner.offset(keys[k]), inner.length(keys[k])).setHeader(flags.size());
                flags.forEach(out::simple);
            } else {
                out.bulk(inner.bytes, inner.offset(keys[k]), inner.length(keys[k]));
            }
        }
    }

    /** The indexes of the keys among the arguments of {@code r} (argument 0 the command's name). */
    static int[] keyIndexes(Command c, Request r) {
        long range = CommandKeys.range(c, r);
        return range == CommandKeys.NOT_A_RUN ? CommandKeys.indexes(c, r) : CommandKeys.spread(c, range);
    }

    /**
     * One command's entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs,
     * subcommands — redis-server 7.0.15's own ({@link CommandFacts}); for a command Redis does not have,
     * from {@link Command}'s facts, without tips, key specs or subcommands.
     */
    private static void info(Command c, ReplyWriter out) {
        CommandFacts.Facts facts = CommandFacts.of(c.lowerName);
        if (facts != null) {
            CommandFacts.write(facts.info(), out);
            return;
        }
        int[] keys = c.keySpec();
        out.arrayHeader(10).bulk(c.lowerName).integer(c.arity).setHeader(c.flags.length); // sets in RESP3, as Redis's
        for (String flag : c.flags) {
            out.simple(flag);
        }
        out.integer(keys[0]).integer(keys[1]).integer(keys[2]);
        List<String> categories = AclCategories.of(c);
        out.setHeader(categories.size());
        categories.forEach(category -> out.simple("@" + category));
        out.setHeader(0).setHeader(0).setHeader(0);
    }
}
