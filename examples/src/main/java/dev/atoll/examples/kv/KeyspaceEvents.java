package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Redis's keyspace notifications ({@code notify-keyspace-events}) on one shard: for a change of a key,
 * a message {@code event} on channel {@code __keyspace@0__:<key>} (class K) and a message {@code key}
 * on channel {@code __keyevent@0__:<event>} (class E), published as PUBLISH does — to this shard's
 * subscribers at once, to each other shard that may have one as a mesh message — so they reach
 * SUBSCRIBE and PSUBSCRIBE clients of any shard. Sent from the shard that owns the key, when the
 * change happens there: one key's events keep their order; events of keys of different shards
 * interleave as they arrive.
 *
 * <p>Which changes, as Redis 7.0 names them: generic (g) {@code del}, {@code expire}, {@code persist},
 * {@code rename_from}/{@code rename_to}, {@code copy_to}, {@code restore}; strings ($) {@code set},
 * {@code append}, {@code setrange}, {@code incrby}, {@code incrbyfloat}, {@code setbit}; those of the
 * single-key commands of lists (l), sets (s), hashes (h) and sorted sets (z), each followed by
 * {@code del} when it emptied its key; {@code expired} (x: a key removed by its expiry, lazily or by
 * the active sampling), {@code evicted} (e: by {@code maxmemory}), {@code new} (n: a key a write
 * command created); those of the multi-key commands (LMOVE, SMOVE, the stores, ZMPOP, BITOP,
 * PFMERGE, geo stores), streams (t) and their consumer groups, and the blocking pops; {@code keymiss}
 * (m: a read of an absent key, {@link #absent}, {@link #missed}). A command on one shard's keys has its
 * events derived after it ran, from each key as
 * it was before and after ({@link #before}, {@link #after}): a command that changed nothing, or
 * answered an error, sends nothing, as in Redis. A change made outside a command — a round of a
 * cross-shard command, a blocked client served — sends its key's events from the key's shard
 * ({@link #stored}, {@link #took}): one key's events keep Redis's order, different keys' may not.
 *
 * <p>Off (the default: an empty setting) it costs a command, a round or a served pop one volatile read. Touched by its
 * shard's thread; the setting is the server's ({@link KvNode#keyspaceEvents}: {@code kv.notify-keyspace-events},
 * then CONFIG SET's).
 */
final class KeyspaceEvents {
    static final int KEYSPACE = 1;
    static final int KEYEVENT = 1 << 1;
    static final int GENERIC = 1 << 2;
    static final int STRING = 1 << 3;
    static final int LIST = 1 << 4;
    static final int SET = 1 << 5;
    static final int HASH = 1 << 6;
    static final int ZSET = 1 << 7;
    static final int EXPIRED = 1 << 8;
    static final int EVICTED = 1 << 9;
    static final int STREAM = 1 << 10;
    static final int KEY_MISS = 1 << 11;
    static final int MODULE = 1 << 12;
    static final int NEW = 1 << 13;
    /** Redis's 'A': every class but key misses and new keys. */
    static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;
    /** The classes in the order Redis prints them, after 'A' or in its place. */
    private static final String CLASSES = "g$lshzxetdn";
    private static final int[] CLASS_FLAGS = {GENERIC, STRING, LIST, SET, HASH, ZSET, EXPIRED, EVICTED, STREAM, MODULE, NEW};
    private static final byte[] KEYSPACE_PREFIX = ReplyWriter.asciiBytes("__keyspace@0__:");
    private static final byte[] KEYEVENT_PREFIX = ReplyWriter.asciiBytes("__keyevent@0__:");

    private final KvShard shard;
    private KvNode node;

    KeyspaceEvents(KvShard shard) {
        this.shard = shard;
    }

    void start(KvNode node) {
        this.node = node;
    }

    /** {@code notify-keyspace-events}' value as flags, or -1 for a character Redis refuses. */
    static int parse(String value) {
        int flags = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            int at = CLASSES.indexOf(c);
            if (at >= 0) {
                flags |= CLASS_FLAGS[at];
            } else {
                switch (c) {
                    case 'A' -> flags |= ALL;
                    case 'K' -> flags |= KEYSPACE;
                    case 'E' -> flags |= KEYEVENT;
                    case 'm' -> flags |= KEY_MISS;
                    default -> {
                        return -1;
                    }
                }
            }
        }
        return flags;
    }

    /** The flags as CONFIG GET shows them, in Redis's order: A or the classes, then K, E, m. */
    static String format(int flags) {
        StringBuilder s = new StringBuilder();
        if ((flags & ALL) == ALL) {
            s.append('A');
        } else {
            for (int i = 0; i < CLASS_FLAGS.length; i++) {
                if ((flags & CLASS_FLAGS[i]) != 0) {
                    s.append(CLASSES.charAt(i));
                }
            }
        }
        if ((flags & KEYSPACE) != 0) {
            s.append('K');
        }
        if ((flags & KEYEVENT) != 0) {
            s.append('E');
        }
        if ((flags & KEY_MISS) != 0) {
            s.append('m');
        }
        return s.toString();
    }

    /** Whether events of class {@code type} are sent (a class, and K or E). */
    boolean on(int type) {
        int flags = node == null ? 0 : node.keyspaceEvents; // null: a shard not started (a test's)
        return (flags & type) != 0 && (flags & (KEYSPACE | KEYEVENT)) != 0;
    }

    /** Sends event {@code event} of class {@code type} for the key {@code key[offset, offset + length)}. */
    void send(int type, String event, byte[] key, int offset, int length) {
        int flags = node == null ? 0 : node.keyspaceEvents;
        if ((flags & type) == 0) {
            return;
        }
        byte[] name = event.getBytes(StandardCharsets.US_ASCII);
        if ((flags & KEYSPACE) != 0) {
            publish(concat(KEYSPACE_PREFIX, key, offset, length), name);
        }
        if ((flags & KEYEVENT) != 0) {
            publish(concat(KEYEVENT_PREFIX, name, 0, name.length), java.util.Arrays.copyOfRange(key, offset, offset + length));
        }
    }

    private static byte[] concat(byte[] prefix, byte[] b, int offset, int length) {
        byte[] channel = java.util.Arrays.copyOf(prefix, prefix.length + length);
        System.arraycopy(b, offset, channel, prefix.length, length);
        return channel;
    }

    /** As PUBLISH, without a count to answer: here at once, to each other shard that may have a subscriber. */
    private void publish(byte[] channel, byte[] message) {
        PubSub.Name name = new PubSub.Name(channel, 0, channel.length);
        PubSub local = shard.pubsub;
        local.deliver(name, message, 0, message.length);
        local.sendToOthers(node, local.othersThatMayReceive(node, name.hash), name, message, null, null); // full: dropped
    }

    // ---- key misses (m): a read of an absent key ----

    /**
     * Before {@code command} runs with key misses on: the arguments it reads as keys (Redis's
     * {@code lookupKeyRead}) that are absent — each looked at as the command will (a key whose time
     * passed is removed now, its {@code expired} sent first, as Redis's lookup does), a key named twice
     * twice — or null when none is.
     */
    int[] absent(Command command, Request r, long now) {
        int[] keys = readKeys(command, r);
        if (keys == null) {
            return null;
        }
        int absent = 0;
        for (int i : keys) {
            if (shard.peek(r.bytes, r.offset(i), r.length(i), now) == null) {
                keys[absent++] = i;
            }
        }
        return absent == 0 ? null : java.util.Arrays.copyOf(keys, absent);
    }

    /**
     * After {@code command} ran: {@code keymiss} for each key {@link #absent} found, unless it answered
     * an error found before its lookups (an argument's, a WRONGTYPE); a missing key's own errors ({@code
     * ERR no such key}, {@code NOGROUP}) come after the lookup, as in Redis. XREADGROUP stops at its first
     * key without the group: only that one, when absent, is missed. {@code out} holds its reply from {@code mark}.
     */
    void missed(Command command, Request r, int[] absent, ReplyWriter out, int mark) {
        String error = out.size() > mark && out.bytes()[mark] == '-'
                ? new String(out.bytes(), mark + 1, out.size() - mark - 1, StandardCharsets.UTF_8) : null;
        if (error != null && !error.startsWith("NOGROUP ") && !error.startsWith("ERR no such key")) {
            return;
        }
        for (int i : absent) {
            if (command == Command.XREADGROUP && (error == null || !error.startsWith("NOGROUP No such key '" + r.string(i) + "'"))) {
                continue;
            }
            send(KEY_MISS, "keymiss", r.bytes, r.offset(i), r.length(i));
            if (command == Command.XREADGROUP) {
                return;
            }
        }
    }

    /** The arguments Redis 7.0 reads as keys with a notification of their miss, in its order; null: none. */
    private static int[] readKeys(Command command, Request r) {
        if (!command.writes) {
            return command == Command.OBJECT || command == Command.MEMORY ? null : CommandKeys.indexes(command, r); // OBJECT, MEMORY: not notified
        }
        return switch (command) {
            case GETDEL, GETEX, GETSET, COPY, SORT, GEORADIUS, GEORADIUSBYMEMBER, XACK, XCLAIM, XAUTOCLAIM -> new int[] {1};
            case SET -> setGets(r) ? new int[] {1} : null;
            case ZRANGESTORE, GEOSEARCHSTORE -> new int[] {2};
            case PFMERGE, XREADGROUP -> CommandKeys.indexes(command, r);   // PFMERGE reads its destination too
            case SINTERSTORE, SUNIONSTORE, SDIFFSTORE, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, BITOP -> {
                int[] keys = CommandKeys.indexes(command, r);
                yield keys.length < 2 ? null : java.util.Arrays.copyOfRange(keys, 1, keys.length); // the sources
            }
            default -> null;
        };
    }

    /** SET with GET: it reads the old value as GET does. */
    private static boolean setGets(Request r) {
        for (int i = 3; i < r.count(); i++) {
            if (r.string(i).equalsIgnoreCase("get")) {
                return true;
            }
        }
        return false;
    }

    // ---- changes made outside execute: a cross-shard command's round, a blocked client's step ----

    /**
     * Whether {@code key} exists here, asked before a round changes it (for {@link #stored}); false,
     * after one volatile read, while notifications are off.
     */
    boolean exists(byte[] key) {
        return node.keyspaceEvents != 0 && find(key) != null;
    }

    /**
     * A round wrote {@code key}, which {@link #exists} saw before: {@code new} if it created it, then
     * {@code event} of class {@code type} if the key holds a value now, else {@code del} if it was there.
     */
    void stored(int type, String event, byte[] key, boolean existed) {
        shard.tracking.changed(key, 0, key.length); // client-side caching's invalidation (Tracking)
        if (node.keyspaceEvents == 0) {
            return;
        }
        boolean now = find(key) != null;
        if (now && !existed) {
            send(NEW, "new", key, 0, key.length);
        }
        if (now) {
            send(type, event, key, 0, key.length);
        } else if (existed) {
            send(GENERIC, "del", key, 0, key.length);
        }
    }

    /** {@link #stored} with the event {@code command} sends on its destination (a store, a push, PFMERGE, BITOP). */
    void stored(Command command, byte[] key, boolean existed) {
        stored(eventClass(command), event(command), key, existed);
    }

    /** A round or a blocked client took from {@code key}: {@code event} of class {@code type}, then {@code del} if that emptied it. */
    void took(int type, String event, byte[] key) {
        shard.tracking.changed(key, 0, key.length); // client-side caching's invalidation (Tracking)
        if (node.keyspaceEvents == 0) {
            return;
        }
        send(type, event, key, 0, key.length);
        if (find(key) == null) {
            send(GENERIC, "del", key, 0, key.length);
        }
    }

    /** A list pop's event. */
    static String pop(boolean left) {
        return left ? "lpop" : "rpop";
    }

    /** A list push's event. */
    static String push(boolean left) {
        return left ? "lpush" : "rpush";
    }

    /** A sorted-set pop's event. */
    static String pop(ZSetAlgebra.Pop pop) {
        return pop.max() ? "zpopmax" : "zpopmin";
    }

    private KeyTable.Entry find(byte[] key) {
        return shard.table.find(key, 0, key.length, KeyTable.hash(key, 0, key.length));
    }

    // ---- a command's events, from its keys before and after it ran ----

    /**
     * A key of a write command as it was before it ran: its entry, version, expiry, its aggregate's size
     * (-1: none), for ZADD the scores its members had (NaN: absent), to tell an update from a no-op, and for
     * the consumer-group commands the number of consumers of the group they name (-1: no such group).
     */
    record Seen(int index, KeyTable.Entry entry, long version, long expireAt, int size, double[] scores, int consumers) {
    }

    /** The keys of write command {@code command} before it runs, when it may send an event; else null. */
    List<Seen> before(Command command, Request r, KeyTable table) {
        if (node == null || node.keyspaceEvents == 0) { // off: the whole cost (null: a shard not started, a test's)
            return null;
        }
        int type = eventClass(command);
        if (!on(type == 0 ? NEW : type | GENERIC | NEW)) { // GENERIC: SET ... EX sends expire
            return null;
        }
        int[] keys = CommandKeys.indexes(command, r);
        Seen[] seen = new Seen[keys.length];
        for (int k = 0; k < keys.length; k++) {
            int i = keys[k];
            KeyTable.Entry e = table.find(r.bytes, r.offset(i), r.length(i), KeyTable.hash(r.bytes, r.offset(i), r.length(i)));
            int size = e == null || e.isString() ? -1 : e.aggregateSize();
            double[] scores = (command == Command.ZADD || command == Command.GEOADD) && e != null
                    && e.aggregate() instanceof ZSetValue z ? scores(command, z, r) : null;
            seen[k] = new Seen(i, e, e == null ? 0 : e.version, e == null ? 0 : table.expireAt(e), size, scores,
                    consumers(command, r, e));
        }
        return List.of(seen);
    }

    /** The number of consumers of the group {@code command} names in the stream of {@code e}; -1: none (or another command). */
    private static int consumers(Command command, Request r, KeyTable.Entry e) {
        int group = switch (command) {
            case XGROUP -> 3;
            case XREADGROUP, XCLAIM, XAUTOCLAIM -> 2;
            default -> -1;
        };
        if (group < 0 || group >= r.count() || e == null || !(e.aggregate() instanceof StreamValue s)) {
            return -1;
        }
        StreamGroup g = s.group(r.copy(group));
        return g == null ? -1 : g.consumers.size();
    }

    /** ZADD's or GEOADD's members' scores now, in the order of its arguments (NaN: absent). */
    private static double[] scores(Command command, ZSetValue z, Request r) {
        boolean geo = command == Command.GEOADD;
        int stride = geo ? 3 : 2;
        int first = options(r, geo ? GEOADD_OPTIONS : ZADD_OPTIONS) + stride - 1; // the first member
        double[] scores = new double[Math.max(0, (r.count() - first + stride - 1) / stride)];
        for (int p = 0; p < scores.length; p++) {
            int member = first + stride * p;
            scores[p] = z.score(r.bytes, r.offset(member), r.length(member));
        }
        return scores;
    }

    /** Where ZADD's score-member pairs or GEOADD's triples start: after its options. */
    private static int options(Request r, java.util.Set<String> options) {
        int i = 2;
        while (i < r.count() && options.contains(r.string(i).toLowerCase(java.util.Locale.ROOT))) {
            i++;
        }
        return i;
    }

    private static final java.util.Set<String> ZADD_OPTIONS = java.util.Set.of("nx", "xx", "gt", "lt", "ch", "incr");
    private static final java.util.Set<String> GEOADD_OPTIONS = java.util.Set.of("nx", "xx", "ch");

    /** Whether ZADD or GEOADD changed a score of a member that was there ({@code added} it counts by the size). */
    private static boolean zaddUpdated(Command command, Seen s, KeyTable.Entry e, Request r) {
        if (s.scores() == null || e == null || !(e.aggregate() instanceof ZSetValue z)) {
            return false;
        }
        double[] now = scores(command, z, r);
        for (int p = 0; p < now.length; p++) {
            if (!Double.isNaN(s.scores()[p]) && Double.compare(s.scores()[p], now[p]) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * After the command whose keys {@link #before} saw: the events of what it changed, in Redis's order
     * (a move's destination before its source); none when it answered an error. {@code out} holds its
     * reply from {@code mark}.
     */
    void after(Command command, Request r, List<Seen> seen, KeyTable table, ReplyWriter out, int mark) {
        boolean failed = out.size() > mark && out.bytes()[mark] == '-';
        int type = eventClass(command);
        boolean destinationFirst = command == Command.LMOVE || command == Command.RPOPLPUSH;
        for (int n = 0; n < seen.size(); n++) {
            int k = destinationFirst ? seen.size() - 1 - n : n;
            Seen s = seen.get(k);
            int i = s.index();
            KeyTable.Entry e = table.find(r.bytes, r.offset(i), r.length(i), KeyTable.hash(r.bytes, r.offset(i), r.length(i)));
            boolean existed = s.entry() != null;
            if (e != null && !existed) {
                send(NEW, "new", r.bytes, r.offset(i), r.length(i));
            }
            String event = event(command, r, k, seen.size());
            if (event == null || failed) {
                continue;
            }
            boolean changed = e != s.entry() || (e != null && e.version != s.version());
            long expireAt = e == null ? 0 : table.expireAt(e);
            int size = e == null || e.isString() ? 0 : e.aggregateSize();
            switch (command) {
                case DEL, UNLINK, GETDEL -> {
                    if (existed && e == null) {
                        send(GENERIC, "del", r.bytes, r.offset(i), r.length(i));
                    }
                }
                case EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, GETEX -> {
                    if (existed && e == null) {
                        send(GENERIC, "del", r.bytes, r.offset(i), r.length(i)); // a time already past deletes it
                    } else if (e != null && expireAt != s.expireAt()) {
                        send(GENERIC, expireAt == 0 ? "persist" : "expire", r.bytes, r.offset(i), r.length(i));
                    }
                }
                case PERSIST -> {
                    if (e != null && s.expireAt() != 0 && expireAt == 0) {
                        send(GENERIC, "persist", r.bytes, r.offset(i), r.length(i));
                    }
                }
                case RENAME, RENAMENX -> {
                    if (k == 0 && existed && e == null) {   // moved away: its events, source then destination
                        send(GENERIC, "rename_from", r.bytes, r.offset(i), r.length(i));
                        send(GENERIC, "rename_to", r.bytes, r.offset(2), r.length(2));
                    }
                }
                case COPY -> {
                    if (k == 1 && changed && e != null) {
                        send(GENERIC, "copy_to", r.bytes, r.offset(i), r.length(i));
                    }
                }
                case LMOVE, RPOPLPUSH -> {
                    // it ran when its source was a list (never empty) and no error came: the
                    // destination's push, then the source's pop and del if it emptied it (one key: both)
                    if (seen.get(0).entry() != null) {
                        send(LIST, event, r.bytes, r.offset(i), r.length(i));
                        if (existed && e == null) {
                            send(GENERIC, "del", r.bytes, r.offset(i), r.length(i));
                        }
                    }
                }
                case SINTERSTORE, SUNIONSTORE, SDIFFSTORE, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE, SORT, BITOP,
                     PFMERGE, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER, XSETID -> {
                    // a store (only its destination has an event): sent on every run that left a value, del when
                    // it emptied an existing destination
                    if (e != null) {
                        send(type, event, r.bytes, r.offset(i), r.length(i));
                    } else if (existed) {
                        send(GENERIC, "del", r.bytes, r.offset(i), r.length(i));
                    }
                }
                case XGROUP -> {
                    // create and setid answer OK, destroy 1 when it destroyed; a consumer counts as made or removed
                    int consumers = consumers(command, r, e);
                    boolean sent = switch (event) {
                        case "xgroup-create", "xgroup-setid" -> true;
                        case "xgroup-destroy" -> out.size() > mark + 1 && out.bytes()[mark + 1] == '1';
                        case "xgroup-createconsumer" -> consumers > s.consumers();
                        default -> consumers < s.consumers(); // xgroup-delconsumer
                    };
                    if (sent) {
                        send(STREAM, event, r.bytes, r.offset(i), r.length(i));
                    }
                }
                case XREADGROUP, XCLAIM, XAUTOCLAIM -> {
                    if (consumers(command, r, e) > s.consumers()) { // as Redis, it made its consumer when it had to
                        send(STREAM, event, r.bytes, r.offset(i), r.length(i));
                    }
                }
                case PFADD -> {
                    if (out.size() > mark + 1 && out.bytes()[mark + 1] == '1') { // it answers 1 when it changed the key
                        send(type, event, r.bytes, r.offset(i), r.length(i));
                    }
                }
                case XADD -> {
                    if (e != null) {   // NOMKSTREAM of an absent key made none; MAXLEN/MINID may trim in the same run
                        send(STREAM, event, r.bytes, r.offset(i), r.length(i));
                        if (size < Math.max(s.size(), 0) + 1) {
                            send(STREAM, "xtrim", r.bytes, r.offset(i), r.length(i));
                        }
                    }
                }
                case LPUSH, RPUSH, LPUSHX, RPUSHX, LSET, LTRIM, HSET, HMSET, HINCRBY, HINCRBYFLOAT, ZINCRBY, LPOP, RPOP,
                     LINSERT, LREM, SADD, SREM, SPOP, HSETNX, HDEL, ZADD, ZREM, ZPOPMIN, ZPOPMAX, ZREMRANGEBYSCORE,
                     ZREMRANGEBYRANK, ZREMRANGEBYLEX, SMOVE, ZMPOP, GEOADD, XDEL, XTRIM -> {
                    // Redis sends these when the command ran on the key (the first group) or changed its
                    // size (the others; ZADD and GEOADD also when they updated a score), then del if it emptied it.
                    boolean ran = switch (command) {
                        case LPUSH, RPUSH, LPUSHX, RPUSHX, LSET, LTRIM, HSET, HMSET, HINCRBY, HINCRBYFLOAT, ZINCRBY ->
                                existed || e != null;
                        case ZADD, GEOADD -> size != Math.max(s.size(), 0) || zaddUpdated(command, s, e, r);
                        default -> size != Math.max(s.size(), 0);
                    };
                    if (ran) {
                        send(type, event, r.bytes, r.offset(i), r.length(i));
                    }
                    if (existed && e == null) {
                        send(GENERIC, "del", r.bytes, r.offset(i), r.length(i));
                    }
                }
                default -> {
                    if (changed && e != null) {
                        send(type, event, r.bytes, r.offset(i), r.length(i));
                        if (setsExpiry(command, r) && expireAt != 0) {
                            send(GENERIC, "expire", r.bytes, r.offset(i), r.length(i));
                        }
                    }
                }
            }
        }
    }

    /** SET with EX, PX, EXAT or PXAT, SETEX, PSETEX: Redis follows their {@code set} with {@code expire}. */
    private static boolean setsExpiry(Command command, Request r) {
        if (command == Command.SETEX || command == Command.PSETEX) {
            return true;
        }
        if (command != Command.SET) {
            return false;
        }
        for (int i = 3; i < r.count(); i++) {
            String option = r.string(i);
            if (option.equalsIgnoreCase("ex") || option.equalsIgnoreCase("px") || option.equalsIgnoreCase("exat")
                    || option.equalsIgnoreCase("pxat")) {
                return true;
            }
        }
        return false;
    }

    /** The event a command's change of a key is named, or null when it sends none here (only {@code new}). */
    private static String event(Command command) {
        return switch (command) {
            case SET, SETNX, SETEX, PSETEX, GETSET, MSET, MSETNX -> "set";
            case APPEND -> "append";
            case SETRANGE -> "setrange";
            case INCR, DECR, INCRBY, DECRBY -> "incrby";
            case INCRBYFLOAT -> "incrbyfloat";
            case SETBIT, BITFIELD -> "setbit";
            case DEL, UNLINK, GETDEL, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, GETEX, PERSIST, RENAME, RENAMENX, COPY -> "";
            case RESTORE, RESTORE_ASKING -> "restore";
            case LPUSH, LPUSHX -> "lpush";
            case RPUSH, RPUSHX -> "rpush";
            case LPOP -> "lpop";
            case RPOP -> "rpop";
            case LINSERT -> "linsert";
            case LSET -> "lset";
            case LREM -> "lrem";
            case LTRIM -> "ltrim";
            case SADD -> "sadd";
            case SREM -> "srem";
            case SPOP -> "spop";
            case HSET, HMSET, HSETNX -> "hset";
            case HDEL -> "hdel";
            case HINCRBY -> "hincrby";
            case HINCRBYFLOAT -> "hincrbyfloat";
            case ZADD -> "zadd";
            case ZINCRBY -> "zincr";
            case ZREM -> "zrem";
            case ZPOPMIN -> "zpopmin";
            case ZPOPMAX -> "zpopmax";
            case ZREMRANGEBYSCORE -> "zremrangebyscore";
            case ZREMRANGEBYRANK -> "zremrangebyrank";
            case ZREMRANGEBYLEX -> "zremrangebylex";
            case LMOVE, RPOPLPUSH, ZMPOP, SMOVE -> ""; // named per key: event(command, r, k, keys)
            case SINTERSTORE -> "sinterstore";
            case SUNIONSTORE -> "sunionstore";
            case SDIFFSTORE -> "sdiffstore";
            case ZUNIONSTORE -> "zunionstore";
            case ZINTERSTORE -> "zinterstore";
            case ZDIFFSTORE -> "zdiffstore";
            case ZRANGESTORE -> "zrangestore";
            case SORT -> "sortstore";
            case BITOP -> "set";
            case PFADD, PFMERGE -> "pfadd";   // PFMERGE's too, in Redis 7.0
            case GEOADD -> "zadd";
            case GEOSEARCHSTORE -> "geosearchstore";
            case GEORADIUS, GEORADIUSBYMEMBER -> "georadiusstore";
            case XADD -> "xadd";
            case XDEL -> "xdel";
            case XTRIM -> "xtrim";
            case XSETID -> "xsetid";
            case XGROUP, XREADGROUP, XCLAIM, XAUTOCLAIM -> ""; // named per key: event(command, r, k, keys)
            default -> null;
        };
    }

    /**
     * The event of {@code command}'s {@code k}th key of {@code keys} ({@link CommandKeys#indexes}' order),
     * or null when that key gets none (a store's sources, a search that stores nothing).
     */
    private static String event(Command command, Request r, int k, int keys) {
        return switch (command) {
            case LMOVE -> k == 0 ? (r.string(3).equalsIgnoreCase("left") ? "lpop" : "rpop")
                    : (r.string(4).equalsIgnoreCase("left") ? "lpush" : "rpush");
            case RPOPLPUSH -> k == 0 ? "rpop" : "lpush";
            case SMOVE -> k == 0 ? "srem" : "sadd";
            case ZMPOP -> r.longAt(1) && 2 + r.number < r.count() && r.string((int) (2 + r.number)).equalsIgnoreCase("max")
                    ? "zpopmax" : "zpopmin";
            case XGROUP -> XGROUP_EVENTS.get(r.string(1).toLowerCase(java.util.Locale.ROOT)); // null: HELP
            case XREADGROUP, XCLAIM, XAUTOCLAIM -> "xgroup-createconsumer";
            case SORT -> k == 1 ? event(command) : null;                                   // the STORE key
            case GEORADIUS, GEORADIUSBYMEMBER -> k == 0 && keys == 2 ? event(command) : null; // STORE's key first
            case SINTERSTORE, SUNIONSTORE, SDIFFSTORE, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE, BITOP, PFMERGE,
                 GEOSEARCHSTORE -> k == 0 ? event(command) : null;                        // the destination
            default -> event(command);
        };
    }

    /** XGROUP's subcommands and their events. */
    private static final java.util.Map<String, String> XGROUP_EVENTS = java.util.Map.of("create", "xgroup-create",
            "setid", "xgroup-setid", "destroy", "xgroup-destroy", "createconsumer", "xgroup-createconsumer",
            "delconsumer", "xgroup-delconsumer");

    /** The class of {@link #event}: string or generic; 0 for a command that sends only {@code new}. */
    private static int eventClass(Command command) {
        String event = event(command);
        if (event == null) {
            return 0;
        }
        return switch (command) {
            case SET, SETNX, SETEX, PSETEX, GETSET, MSET, MSETNX, APPEND, SETRANGE, INCR, DECR, INCRBY, DECRBY,
                 INCRBYFLOAT, SETBIT, BITFIELD, BITOP, PFADD, PFMERGE -> STRING;
            case LPUSH, LPUSHX, RPUSH, RPUSHX, LPOP, RPOP, LINSERT, LSET, LREM, LTRIM, LMOVE, RPOPLPUSH, SORT -> LIST;
            case SADD, SREM, SPOP, SMOVE, SINTERSTORE, SUNIONSTORE, SDIFFSTORE -> SET;
            case HSET, HMSET, HSETNX, HDEL, HINCRBY, HINCRBYFLOAT -> HASH;
            case ZADD, ZINCRBY, ZREM, ZPOPMIN, ZPOPMAX, ZREMRANGEBYSCORE, ZREMRANGEBYRANK, ZREMRANGEBYLEX, ZMPOP,
                 ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE, GEOADD, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER -> ZSET;
            case XADD, XDEL, XTRIM, XSETID, XGROUP, XREADGROUP, XCLAIM, XAUTOCLAIM -> STREAM;
            default -> GENERIC;
        };
    }
}
