package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * COMMAND, COMMAND COUNT, COMMAND LIST, COMMAND INFO and COMMAND DOCS, from the facts in
 * {@link Command}: what {@code redis-cli} asks at start for its hints, and what client libraries
 * use to find keys.
 */
final class CommandDocs {
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
            case "count" -> out.integer(Command.values().length);
            case "list" -> {
                out.arrayHeader(Command.values().length);
                for (Command c : Command.values()) {
                    out.bulk(c.lowerName);
                }
            }
            case "info" -> {
                List<Command> asked = asked(r);
                out.arrayHeader(asked.size());
                for (Command c : asked) {
                    if (c == null) {
                        out.nullArray();
                    } else {
                        info(c, out);
                    }
                }
            }
            case "docs" -> {
                List<Command> asked = r.count() == 2 ? List.of(Command.values()) : asked(r);
                List<Command> known = asked.stream().filter(c -> c != null).toList();
                out.mapHeader(known.size());
                for (Command c : known) {
                    out.bulk(c.lowerName).mapHeader(5)
                            .bulk("summary").bulk(c.summary)
                            .bulk("since").bulk(c.since)
                            .bulk("group").bulk(c.group)
                            .bulk("complexity").bulk(c.kind == Command.Kind.ALL_SHARDS ? "O(N)" : "O(1)")
                            .bulk("arguments").raw(ReplyWriter.EMPTY_ARRAY);
                }
            }
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try COMMAND HELP.");
        }
    }

    private static List<Command> asked(Request r) {
        List<Command> asked = new ArrayList<>();
        for (int i = 2; i < r.count(); i++) {
            String name = r.string(i).toLowerCase(Locale.ROOT);
            Command found = null;
            for (Command c : Command.values()) {
                if (c.lowerName.equals(name)) {
                    found = c;
                }
            }
            asked.add(found);
        }
        return asked;
    }

    /** One command's entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands. */
    private static void info(Command c, ReplyWriter out) {
        int[] keys = c.keySpec();
        out.arrayHeader(10).bulk(c.lowerName).integer(c.arity).setHeader(c.flags.length); // sets in RESP3, as Redis's
        for (String flag : c.flags) {
            out.simple(flag);
        }
        out.integer(keys[0]).integer(keys[1]).integer(keys[2]);
        out.setHeader(1).simple("@" + c.group.replace("-", "")); // sorted-set: @sortedset
        out.raw(ReplyWriter.EMPTY_ARRAY).raw(ReplyWriter.EMPTY_ARRAY).raw(ReplyWriter.EMPTY_ARRAY);
    }
}
