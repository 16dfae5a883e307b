package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One ACL selector as Redis 7.0 has them — the commands (a bitset over {@link AclIds}, plus the
 * first arguments allowed of a command otherwise refused), the key patterns with their read/write
 * permissions and the channel patterns a user may use — its rules ({@link #apply}), its rule text
 * ({@link #describe}, Redis's: categories fitted to the bitset, then single commands) and its check of
 * a command ({@link #check}). Changed only while a SETUSER builds a copy; once published in an
 * {@link AclRules} it is only read, from any shard.
 */
final class AclSelector {
    /** Reasons of a refusal, ordered as Redis ranks them (the highest of a user's selectors is reported). */
    static final int OK = 0;
    static final int DENIED_COMMAND = 1;
    static final int DENIED_KEY = 2;
    static final int DENIED_CHANNEL = 4;
    /** A key pattern's permissions. */
    static final int READ = 1;
    static final int WRITE = 2;

    /** A key pattern and what it allows ({@link #READ}, {@link #WRITE}). */
    private record KeyPattern(String pattern, byte[] bytes, int flags) {
        String describe() {
            return switch (flags) {
                case READ -> "%R~" + pattern;
                case WRITE -> "%W~" + pattern;
                default -> "~" + pattern;
            };
        }
    }

    private final long[] allowed;
    /** Set by {@code +@all}, cleared by any command taken away: the check need not look at the bitset. */
    private boolean allCommands;
    /**
     * Set by {@code +@all}, cleared only by {@code -@all} (Redis's reserved command bit): the rule text
     * starts from {@code +@all} and takes away, else from {@code -@all} and adds.
     */
    private boolean futureCommands;
    /** Per command id: the first arguments allowed while the command itself is not ({@code +select|0}). */
    private final Map<Integer, List<String>> firstArgs;
    private boolean allKeys;
    private final List<KeyPattern> keys;
    private boolean allChannels;
    private final List<String> channels;

    /** A selector allowed nothing: {@code resetchannels -@all}, no keys, as a new user or selector starts. */
    AclSelector() {
        this(new long[(AclIds.COUNT + 63) / 64], false, new LinkedHashMap<>(), false, new ArrayList<>(), false,
                new ArrayList<>());
    }

    private AclSelector(long[] allowed, boolean allCommands, Map<Integer, List<String>> firstArgs, boolean allKeys,
                        List<KeyPattern> keys, boolean allChannels, List<String> channels) {
        this.allowed = allowed;
        this.allCommands = allCommands;
        this.futureCommands = allCommands;
        this.firstArgs = firstArgs;
        this.allKeys = allKeys;
        this.keys = keys;
        this.allChannels = allChannels;
        this.channels = channels;
    }

    /** A copy to change (SETUSER works on copies, so a refused rule changes nothing). */
    AclSelector copy() {
        Map<Integer, List<String>> args = new LinkedHashMap<>();
        firstArgs.forEach((id, list) -> args.put(id, new ArrayList<>(list)));
        AclSelector copy = new AclSelector(allowed.clone(), allCommands, args, allKeys, new ArrayList<>(keys), allChannels,
                new ArrayList<>(channels));
        copy.futureCommands = futureCommands;
        return copy;
    }

    boolean allChannels() {
        return allChannels;
    }

    /** Whether it allows every command, key and channel: the connection's check is then one field read. */
    boolean unrestricted() {
        return allCommands && allKeys && allChannels;
    }

    // ---- rules ----

    /**
     * Applies one selector rule ({@code ~k*}, {@code %R~k*}, {@code &ch}, {@code +get}, {@code -@write},
     * {@code allkeys} ...): null when done, else Redis's reason ({@code Syntax error} ...).
     */
    String apply(String op) {
        String lower = op.toLowerCase(Locale.ROOT);
        if (lower.equals("allkeys") || op.equals("~*")) {
            allKeys = true;
            keys.clear();
        } else if (lower.equals("resetkeys")) {
            allKeys = false;
            keys.clear();
        } else if (lower.equals("allchannels") || op.equals("&*")) {
            allChannels = true;
            channels.clear();
        } else if (lower.equals("resetchannels")) {
            allChannels = false;
            channels.clear();
        } else if (lower.equals("allcommands") || lower.equals("+@all")) {
            Arrays.fill(allowed, -1L);
            allCommands = true;
            futureCommands = true;
            firstArgs.clear();
        } else if (lower.equals("nocommands") || lower.equals("-@all")) {
            Arrays.fill(allowed, 0L);
            allCommands = false;
            futureCommands = false;
            firstArgs.clear();
        } else if ((op.startsWith("~") || op.startsWith("%") || op.startsWith("&")) && hasSpaces(op)) {
            return SYNTAX; // as Redis: a pattern has no space (an ACL file line could not hold it)
        } else if (op.startsWith("~") || op.startsWith("%")) {
            return addKeyPattern(op);
        } else if (op.startsWith("&")) {
            if (allChannels) {
                return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have"
                        + " any effect. Try 'resetchannels' to start with an empty list of channels";
            }
            String channel = op.substring(1);
            if (!channels.contains(channel)) {
                channels.add(channel);
            }
        } else if (op.startsWith("+@") || op.startsWith("-@")) {
            String category = lower.substring(2);
            if (!AclCategories.ALL.contains(category)) {
                return UNKNOWN;
            }
            setCategory(category, op.charAt(0) == '+');
        } else if (op.startsWith("+") || op.startsWith("-")) {
            return commandRule(op.substring(1), op.charAt(0) == '+');
        } else {
            return SYNTAX;
        }
        return null;
    }

    static final String SYNTAX = "Syntax error";

    /** Redis's ACLStringHasSpaces: a space or a NUL. */
    static boolean hasSpaces(String s) {
        return s.indexOf(' ') >= 0 || s.indexOf('\0') >= 0;
    }
    static final String UNKNOWN = "Unknown command or category name in ACL";

    private String addKeyPattern(String op) {
        int flags;
        int tilde;
        if (op.startsWith("%")) {
            flags = 0;
            tilde = 1;
            for (; tilde < op.length() && op.charAt(tilde) != '~'; tilde++) {
                char c = Character.toUpperCase(op.charAt(tilde));
                if (c == 'R') {
                    flags |= READ;
                } else if (c == 'W') {
                    flags |= WRITE;
                } else {
                    return SYNTAX;
                }
            }
            if (flags == 0) {
                return SYNTAX;
            }
        } else {
            flags = READ | WRITE;
            tilde = 0;
        }
        if (allKeys) {
            return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any"
                    + " effect. Try 'resetkeys' to start with an empty list of patterns";
        }
        String pattern = op.substring(Math.min(tilde + 1, op.length())); // "%R" alone: the empty pattern, as Redis
        for (int i = 0; i < keys.size(); i++) {
            KeyPattern k = keys.get(i);
            if (k.pattern.equals(pattern)) {
                keys.set(i, new KeyPattern(pattern, k.bytes, k.flags | flags));
                return null;
            }
        }
        keys.add(new KeyPattern(pattern, pattern.getBytes(StandardCharsets.UTF_8), flags));
        return null;
    }

    /** {@code +name} or {@code -name}: a command (with its subcommands), a subcommand, or a command's first argument. */
    private String commandRule(String name, boolean allow) {
        int bar = name.lastIndexOf('|');
        if (bar < 0) {
            int id = AclIds.named(name);
            if (id < 0 || AclIds.isSubcommand(id)) {
                return UNKNOWN;
            }
            changePermission(id, allow);
            return null;
        }
        int command = AclIds.named(name.substring(0, bar));
        if (command < 0) {
            return UNKNOWN;
        }
        if (AclIds.isSubcommand(command)) {
            return "Allowing first-arg of a subcommand is not supported";
        }
        String first = name.substring(bar + 1);
        if (first.isEmpty()) {
            return SYNTAX;
        }
        if (AclIds.isContainer(command)) {
            int sub = AclIds.named(name);
            if (sub < 0) {
                return UNKNOWN;
            }
            changePermission(sub, allow);
            return null;
        }
        if (!allow) {
            return UNKNOWN; // as Redis: a first argument can only be allowed
        }
        if (!bit(command)) {
            List<String> args = firstArgs.computeIfAbsent(command, id -> new ArrayList<>());
            String arg = first.toLowerCase(Locale.ROOT);
            if (!args.contains(arg)) {
                args.add(arg);
            }
        }
        return null;
    }

    /** Redis's ACLChangeSelectorPerm: the command's bit, and a container's subcommands with it. */
    private void changePermission(int id, boolean allow) {
        setBit(id, allow);
        firstArgs.remove(id);
        for (int sub = AclIds.firstSub(id); sub < AclIds.endSub(id); sub++) {
            setBit(sub, allow);
        }
    }

    /** Redis's category rule: each command in it (with its subcommands), and each subcommand in it. */
    private void setCategory(String category, boolean allow) {
        for (int id = 0; id < AclIds.COUNT; id++) {
            if (AclIds.categories(id).contains(category)) {
                if (AclIds.isSubcommand(id)) {
                    setBit(id, allow);
                } else {
                    changePermission(id, allow);
                }
            }
        }
    }

    private void setBit(int id, boolean allow) {
        if (allow) {
            allowed[id >>> 6] |= 1L << id;
        } else {
            allowed[id >>> 6] &= ~(1L << id);
            allCommands = false;
        }
    }

    private boolean bit(int id) {
        return (allowed[id >>> 6] & (1L << id)) != 0;
    }

    // ---- rule text ----

    /** The rules as ACL LIST prints them: keys, channels, then commands. */
    String describe() {
        StringBuilder text = new StringBuilder();
        if (allKeys) {
            text.append("~* ");
        } else {
            keys.forEach(k -> text.append(k.describe()).append(' '));
        }
        if (allChannels) {
            text.append("&* ");
        } else { // as Redis writes them: resetchannels, then the patterns (ACL LOAD reads them back the same)
            text.append("resetchannels ");
            channels.forEach(c -> text.append('&').append(c).append(' '));
        }
        return text.append(describeCommands()).toString();
    }

    /** GETUSER's {@code keys}: the patterns alone. */
    String describeKeys() {
        if (allKeys) {
            return "~*";
        }
        List<String> each = new ArrayList<>();
        keys.forEach(k -> each.add(k.describe()));
        return String.join(" ", each);
    }

    /** GETUSER's {@code channels}. */
    String describeChannels() {
        if (allChannels) {
            return "&*";
        }
        List<String> each = new ArrayList<>();
        channels.forEach(c -> each.add("&" + c));
        return String.join(" ", each);
    }

    /**
     * The command rules as Redis 7.0 writes them from the bitset: {@code +@all} or {@code -@all}, then
     * repeatedly the category that best fits what is left (more commands in common than different,
     * fewest different), then each command and subcommand still different, and the first arguments.
     */
    String describeCommands() {
        boolean additive = !futureCommands;
        StringBuilder rules = new StringBuilder(additive ? "-@all" : "+@all");
        AclSelector fake = new AclSelector();
        fake.apply(additive ? "-@all" : "+@all");
        AclSelector temp = new AclSelector(allowed.clone(), false, new LinkedHashMap<>(), false, new ArrayList<>(), false,
                new ArrayList<>());
        boolean[] applied = new boolean[AclCategories.ALL.size()];
        while (true) {
            int best = -1;
            long minDiff = Integer.MAX_VALUE;
            long maxSame = 0;
            for (int j = 0; j < applied.length; j++) {
                if (applied[j]) {
                    continue;
                }
                long on = 0;
                long off = 0;
                String category = AclCategories.ALL.get(j);
                for (int id = 0; id < AclIds.commands(); id++) {
                    if (AclIds.categories(id).contains(category)) {
                        if (temp.bit(id)) {
                            on++;
                        } else {
                            off++;
                        }
                    }
                }
                long diff = additive ? off : on;
                long same = additive ? on : off;
                if (same > diff && (diff < minDiff || diff == minDiff && same > maxSame)) {
                    best = j;
                    minDiff = diff;
                    maxSame = same;
                }
            }
            if (best < 0) {
                break;
            }
            String category = AclCategories.ALL.get(best);
            fake.setCategory(category, additive);
            temp.setCategory(category, !additive);
            rules.append(additive ? " +@" : " -@").append(category);
            applied[best] = true;
        }
        for (int id = 0; id < AclIds.commands(); id++) {
            single(id, fake, rules);
            for (int sub = AclIds.firstSub(id); sub < AclIds.endSub(id); sub++) {
                single(sub, fake, rules);
            }
        }
        return rules.toString();
    }

    private void single(int id, AclSelector fake, StringBuilder rules) {
        boolean userBit = bit(id);
        if (userBit != fake.bit(id)) {
            rules.append(userBit ? " +" : " -").append(AclIds.name(id));
            fake.changePermission(id, userBit);
        }
        List<String> args = firstArgs.get(id);
        if (!userBit && args != null) {
            args.forEach(arg -> rules.append(" +").append(AclIds.name(id)).append('|').append(arg));
        }
    }

    // ---- the check ----

    /**
     * Whether this selector allows {@code command} (id {@code id}) with the arguments of {@code r}:
     * {@link #OK}, or the reason and the argument refused packed as {@code reason << 32 | argument}.
     * The command's check allocates nothing, nor does the key check of a command of one key (and SORT's STORE key)
     * or of keys in one run (MSET, MGET, DEL, SINTER...); keys and channels are checked only when restricted.
     */
    long check(Command command, int id, Request r) {
        if (!allCommands && !command.noAuth && !bit(id) && !firstArgAllowed(id, r)) {
            return (long) DENIED_COMMAND << 32;
        }
        if (!allKeys && KeySpecs.hasKeys(command)) {
            if (command.kind == Command.Kind.KEY) { // its key, and SORT's STORE key after it: read in place, nothing allocated
                int at = command.keyIndex(r.count());
                int store = SortCommand.storeIndex(command, r);
                if (at >= 0 && !keyAllowed(r, at, KeySpecs.aclFlags(command, 0, r))) {
                    return (long) DENIED_KEY << 32 | at;
                }
                if (store >= 0 && !keyAllowed(r, store, KeySpecs.aclFlags(command, 1, r))) {
                    return (long) DENIED_KEY << 32 | store;
                }
            } else if (CommandKeys.range(command, r) != CommandKeys.NOT_A_RUN) { // MSET, DEL, SINTER...: one run, nothing allocated
                long range = CommandKeys.range(command, r);
                int step = CommandKeys.step(command);
                for (int at = CommandKeys.first(range), k = 0; at <= CommandKeys.last(range); at += step, k++) {
                    if (!keyAllowed(r, at, KeySpecs.aclFlags(command, k, r))) {
                        return (long) DENIED_KEY << 32 | at;
                    }
                }
            } else { // ZUNIONSTORE's destination and sources: their indexes gathered (allocated), each read in place
                int[] at = CommandDocs.keyIndexes(command, r);
                Arrays.sort(at);
                for (int k = 0; k < at.length; k++) {
                    if (!keyAllowed(r, at[k], KeySpecs.aclFlags(command, k, r))) {
                        return (long) DENIED_KEY << 32 | at[k];
                    }
                }
            }
        }
        return checkChannels(command, r);
    }

    /** The channel part of {@link #check}. */
    private long checkChannels(Command command, Request r) {
        if (!allChannels) {
            switch (command) {
                case PUBLISH, SPUBLISH -> {
                    if (!channelAllowed(r.string(1), false)) {
                        return (long) DENIED_CHANNEL << 32 | 1;
                    }
                }
                case SUBSCRIBE, SSUBSCRIBE, PSUBSCRIBE -> {
                    for (int i = 1; i < r.count(); i++) {
                        if (!channelAllowed(r.string(i), command == Command.PSUBSCRIBE)) {
                            return (long) DENIED_CHANNEL << 32 | i;
                        }
                    }
                }
                default -> { }
            }
        }
        return OK;
    }

    private boolean firstArgAllowed(int id, Request r) {
        List<String> args = firstArgs.isEmpty() || r.count() < 2 ? null : firstArgs.get(id);
        return args != null && args.contains(r.string(1).toLowerCase(Locale.ROOT));
    }

    /** Redis's ACLSelectorCheckKey: a pattern with the permissions the key's spec needs, matching it. */
    boolean keyAllowed(byte[] key, int needed) {
        return keyAllowed(key, 0, key.length, needed);
    }

    /** {@link #keyAllowed(byte[], int)} of argument {@code i} of {@code r}, read in place. */
    private boolean keyAllowed(Request r, int i, int needed) {
        return keyAllowed(r.bytes, r.offset(i), r.length(i), needed);
    }

    private boolean keyAllowed(byte[] key, int offset, int length, int needed) {
        if (allKeys) {
            return true;
        }
        for (int i = 0; i < keys.size(); i++) { // indexed: no iterator
            KeyPattern k = keys.get(i);
            if ((k.flags & needed) == needed && Glob.matches(k.bytes, key, offset, length)) {
                return true;
            }
        }
        return false;
    }

    /** Redis's channel check: a channel matches the patterns; a pattern (PSUBSCRIBE) must be one of them exactly. */
    boolean channelAllowed(String channel, boolean isPattern) {
        if (allChannels) {
            return true;
        }
        byte[] bytes = channel.getBytes(StandardCharsets.UTF_8);
        for (String c : channels) {
            if (isPattern ? c.equals(channel) : Glob.matches(c.getBytes(StandardCharsets.UTF_8), bytes)) {
                return true;
            }
        }
        return false;
    }
}
