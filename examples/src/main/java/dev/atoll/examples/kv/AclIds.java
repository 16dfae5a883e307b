package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numbering of what an ACL user may be allowed to run, as Redis 7.0 numbers it: every command
 * (its {@link Command#ordinal}), then every subcommand of a container redis-server 7.0.15 lists
 * ({@code config|get}, {@code acl|whoami}: read from {@link CommandFacts}), so that a user's
 * permissions are one bitset indexed by these ids. {@link #of} finds a request's id without
 * allocating: a command's ordinal, or for a container the id of its subcommand when argument 1
 * names one (else the container's).
 */
final class AclIds {
    private static final Command[] COMMANDS = Command.values();
    /** How many ids: the length of a permission bitset, in bits. */
    static final int COUNT;
    /** Per id: its name as ACL rules and NOPERM errors print it ({@code get}, {@code config|get}). */
    private static final String[] NAMES;
    /** Per id: its categories (without {@code @}). */
    private static final List<List<String>> CATEGORIES = new ArrayList<>();
    /** Per id past the commands: its container. */
    private static final Command[] CONTAINER;
    /** Per id past the commands: the subcommand's lower-case name, as bytes for {@link Request#is}. */
    private static final byte[][] SUB_NAMES;
    /** Per command ordinal: its first subcommand's id, and one past its last (equal: none). */
    private static final int[] FIRST_SUB = new int[COMMANDS.length];
    private static final int[] END_SUB = new int[COMMANDS.length];
    private static final Map<String, Integer> BY_NAME = new HashMap<>();

    static {
        List<String> names = new ArrayList<>();
        List<Command> containers = new ArrayList<>();
        List<byte[]> subNames = new ArrayList<>();
        for (Command c : COMMANDS) {
            names.add(c.lowerName);
            CATEGORIES.add(AclCategories.of(c));
        }
        for (Command c : COMMANDS) {
            FIRST_SUB[c.ordinal()] = names.size();
            CommandFacts.Facts facts = CommandFacts.of(c.lowerName);
            if (facts != null) {
                for (Object sub : CommandFacts.subcommands(facts.info())) {
                    List<?> entry = (List<?>) sub;
                    String full = ((String) entry.get(0)).substring(1);
                    List<String> categories = new ArrayList<>();
                    for (Object category : CommandFacts.items(entry.get(6))) {
                        categories.add(((String) category).substring(2));
                    }
                    names.add(full);
                    CATEGORIES.add(AclCategories.ALL.stream().filter(categories::contains).toList());
                    containers.add(c);
                    subNames.add(ReplyWriter.asciiBytes(full.substring(full.indexOf('|') + 1)));
                }
            }
            END_SUB[c.ordinal()] = names.size();
        }
        NAMES = names.toArray(String[]::new);
        CONTAINER = containers.toArray(Command[]::new);
        SUB_NAMES = subNames.toArray(byte[][]::new);
        COUNT = NAMES.length;
        for (int id = 0; id < COUNT; id++) {
            BY_NAME.put(NAMES[id], id);
        }
    }

    private AclIds() {
    }

    /** The id {@code command} with the arguments of {@code r} is checked by: its subcommand's when it names one. */
    static int of(Command command, Request r) {
        int ordinal = command.ordinal();
        if (r.count() >= 2) {
            for (int id = FIRST_SUB[ordinal]; id < END_SUB[ordinal]; id++) {
                if (r.is(1, SUB_NAMES[id - COMMANDS.length])) {
                    return id;
                }
            }
        }
        return ordinal;
    }

    /** The id of {@code name} ({@code get}, {@code config|get}, any case), or -1. */
    static int named(String name) {
        Integer id = BY_NAME.get(name.toLowerCase(Locale.ROOT));
        return id == null ? -1 : id;
    }

    static String name(int id) {
        return NAMES[id];
    }

    /** Whether {@code id} is a command with subcommands. */
    static boolean isContainer(int id) {
        return id < COMMANDS.length && END_SUB[id] > FIRST_SUB[id];
    }

    /** Whether {@code id} is a subcommand. */
    static boolean isSubcommand(int id) {
        return id >= COMMANDS.length;
    }

    /** The subcommand ids of command {@code id} (an empty range for one without): {@code [first, end)}. */
    static int firstSub(int id) {
        return id < COMMANDS.length ? FIRST_SUB[id] : 0;
    }

    static int endSub(int id) {
        return id < COMMANDS.length ? END_SUB[id] : 0;
    }

    /** The container of subcommand {@code id}. */
    static Command container(int id) {
        return CONTAINER[id - COMMANDS.length];
    }

    static List<String> categories(int id) {
        return CATEGORIES.get(id);
    }

    /** How many top-level commands: the ids below this are {@link Command} ordinals. */
    static int commands() {
        return COMMANDS.length;
    }
}
