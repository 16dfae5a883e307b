package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * The key commands that act on a whole value, as Redis 7.0 answers them: RENAME, RENAMENX, COPY
 * (both keys on this shard: the connection refuses keys on two shards) and OBJECT. Runs on the
 * shard that owns the key(s); logs what it changes.
 */
final class KeyCommands {
    private static final byte[] REPLACE = ReplyWriter.asciiBytes("replace");
    private static final byte[] DB = ReplyWriter.asciiBytes("db");
    private static final byte[] ENCODING = ReplyWriter.asciiBytes("encoding");
    private static final byte[] FREQ = ReplyWriter.asciiBytes("freq");
    private static final byte[] IDLETIME = ReplyWriter.asciiBytes("idletime");
    private static final byte[] REFCOUNT = ReplyWriter.asciiBytes("refcount");
    private static final byte[] HELP = ReplyWriter.asciiBytes("help");
    private static final byte[] SAMPLES = ReplyWriter.asciiBytes("samples");
    private static final String[] MEMORY_HELP = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    counted whole here (SAMPLES is accepted and changes nothing).",
        "HELP",
        "    Prints this help."};
    /** Redis shares the objects of the integers 0 to 9999 and reports them with this count (OBJ_SHARED_REFCOUNT). */
    private static final long SHARED_REFCOUNT = Integer.MAX_VALUE;
    private static final String[] OBJECT_HELP = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    };

    private final KvShard shard;
    private final Request number = new Request();

    KeyCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case RENAME, RENAMENX -> rename(command == Command.RENAMENX, r, now, out);
            case COPY -> copy(r, now, out);
            case OBJECT -> object(r, now, out);
            case MEMORY -> memory(r, now, out);
            default -> throw new IllegalArgumentException(command + " is not a key command");
        }
    }

    private static boolean sameKey(Request r) {
        return Arrays.equals(r.bytes, r.offset(1), r.offset(1) + r.length(1), r.bytes, r.offset(2), r.offset(2) + r.length(2));
    }

    /** RENAME / RENAMENX key newkey: the value and its expiry move; the destination is replaced (RENAME). */
    private void rename(boolean nx, Request r, long now, ReplyWriter out) {
        KeyTable.Entry source = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (source == null) {
            out.error("ERR no such key");
            return;
        }
        if (sameKey(r)) {
            if (nx) {
                out.integer(0);
            } else {
                out.ok();
            }
            return;
        }
        KeyTable.Entry target = shard.live(r.bytes, r.offset(2), r.length(2), now);
        if (target != null && nx) {
            out.integer(0);
            return;
        }
        target = move(source, r, now);
        shard.remove(source);
        if (shard.aof != null) {
            shard.aof.entry(target);
        }
        if (nx) {
            out.integer(1);
        } else {
            out.ok();
        }
    }

    /** The key that is argument 2, made to hold {@code source}'s value (shared: the source is removed next) and expiry. */
    private KeyTable.Entry move(KeyTable.Entry source, Request r, long now) {
        KeyTable.Entry target = place(r, now);
        target.takeValueOf(shard.table, source);
        shard.setExpire(target, shard.table.expireAt(source));
        return target;
    }

    /** The entry of the key that is argument 2, created when absent (its value is set next). */
    private KeyTable.Entry place(Request r, long now) {
        KeyTable.Entry target = shard.live(r.bytes, r.offset(2), r.length(2), now);
        shard.blocking.signal(r.bytes, r.offset(2), r.length(2)); // a client blocked on it is served after this command
        return target != null ? target : shard.put(r.bytes, r.offset(2), r.length(2), new byte[0], 0, false);
    }

    /** COPY's options: [DB destination-db] [REPLACE], only database 0 existing; 1 with REPLACE, 0 without, -1 after the error. */
    static int copyOptions(Request r, ReplyWriter out) {
        int replace = 0;
        for (int j = 3; j < r.count(); j++) {
            if (r.is(j, REPLACE)) {
                replace = 1;
            } else if (r.is(j, DB) && j + 1 < r.count()) {
                if (!r.longAt(++j) || r.number != (int) r.number) {
                    out.error(KvShard.NOT_INTEGER);
                    return -1;
                }
                if (r.number != 0) {
                    out.error("ERR DB index is out of range");
                    return -1;
                }
            } else {
                out.error(KvShard.SYNTAX);
                return -1;
            }
        }
        return replace;
    }

    /** COPY source destination [DB destination-db] [REPLACE], both keys on this shard. */
    private void copy(Request r, long now, ReplyWriter out) {
        int options = copyOptions(r, out);
        if (options < 0) {
            return;
        }
        boolean replace = options == 1;
        if (sameKey(r)) {
            out.error("ERR source and destination objects are the same");
            return;
        }
        KeyTable.Entry source = shard.live(r.bytes, r.offset(1), r.length(1), now);
        if (source == null) {
            out.integer(0);
            return;
        }
        if (shard.live(r.bytes, r.offset(2), r.length(2), now) != null && !replace) {
            out.integer(0);
            return;
        }
        KeyTable.Entry target = place(r, now);
        target.copyValueOf(shard.table, source);
        shard.setExpire(target, shard.table.expireAt(source));
        if (shard.aof != null) {
            shard.aof.entry(target);
        }
        out.integer(1);
    }

    /** OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT key, OBJECT HELP; the subcommand errors as Redis 7.0 gives them. */
    private void object(Request r, long now, ReplyWriter out) {
        boolean keyed = r.is(1, ENCODING) || r.is(1, FREQ) || r.is(1, IDLETIME) || r.is(1, REFCOUNT);
        if (!keyed && !r.is(1, HELP)) {
            out.error("ERR unknown subcommand '" + truncated(r.string(1)) + "'. Try OBJECT HELP.");
            return;
        }
        if (r.count() != (keyed ? 3 : 2)) {
            out.error(KvConnection.wrongArity("object|" + r.string(1).toLowerCase(java.util.Locale.ROOT)));
            return;
        }
        if (!keyed) {
            out.helpLines(OBJECT_HELP);
            return;
        }
        KeyTable.Entry e = shard.peek(r.bytes, r.offset(2), r.length(2), now); // OBJECT does not touch the key
        if (e == null) {
            out.nullBulk();
        } else if (r.is(1, ENCODING)) {
            out.bulk(encoding(e));
        } else if (r.is(1, FREQ)) {
            if (shard.eviction.lfu()) {
                out.integer(Eviction.decayed(e.accessedAt, now, shard.tunables().lfuDecayTime()));
            } else {
                out.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
                        + "when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            }
        } else if (r.is(1, IDLETIME)) {
            if (shard.eviction.lfu()) {
                out.error("ERR An LRU maxmemory policy is not selected, access time not tracked. Please note that "
                        + "when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            } else {
                out.integer(Eviction.idleMillis(e.accessedAt, now) / 1000);
            }
        } else {
            boolean shared = e.isString() && "int".equals(encoding(e)) && number.parseLong(e.valueArray(), e.valueOffset(), e.length)
                    && number.number >= 0 && number.number < 10_000;
            out.integer(shared ? SHARED_REFCOUNT : 1);
        }
    }

    /**
     * MEMORY USAGE key [SAMPLES count]: the bytes this shard counts for the key and its value (what
     * {@code maxmemory} counts, re-counted now; nested values are counted whole, so SAMPLES only has to
     * be a number), nil when it does not exist; MEMORY STATS from EXEC or a script (refused); MEMORY PURGE (nothing to purge: the JVM's collector
     * returns memory by itself), MALLOC-STATS, HELP; other subcommands get Redis 7.0's error.
     */
    private void memory(Request r, long now, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(java.util.Locale.ROOT);
        switch (sub) {
            case "usage" -> {
                if (r.count() < 3) {
                    out.error(KvConnection.wrongArity("memory|usage"));
                    return;
                }
                for (int i = 3; i < r.count(); i += 2) {
                    if (!r.is(i, SAMPLES) || i + 1 >= r.count()) {
                        out.error("ERR syntax error");
                        return;
                    }
                    if (!r.longAt(i + 1) || r.number < 0) {
                        out.error(KvShard.NOT_INTEGER);
                        return;
                    }
                }
                KeyTable.Entry e = shard.peek(r.bytes, r.offset(2), r.length(2), now); // as Redis: not a touch
                if (e == null) {
                    out.nullBulk();
                } else {
                    shard.table.account(e);
                    out.integer(KeyTable.footprint(e));
                }
            }
            case "purge" -> out.ok();
            // MEMORY STATS gathers every shard (ServerCommands.memoryStats); it comes here only from EXEC or a script
            case "stats" -> out.error("ERR MEMORY STATS gathers every shard: not inside MULTI or a script here");
            case "malloc-stats" -> out.bulk("Stats not supported for the current allocator");
            case "doctor" -> {
                if (r.count() != 2) {
                    out.error(KvConnection.wrongArity("memory|doctor"));
                } else {
                    out.verbatim(Diagnostics.MEMORY_DOCTOR);
                }
            }
            case "help" -> {
                out.helpLines(MEMORY_HELP);
            }
            default -> out.error("ERR unknown subcommand '" + truncated(r.string(1)) + "'. Try MEMORY HELP.");
        }
    }

    /**
     * Redis's name for how it would hold the value: a string that is a canonical integer is "int",
     * else "embstr" up to 44 bytes and "raw" beyond or once changed in place; an aggregate names
     * its own.
     */
    private String encoding(KeyTable.Entry e) {
        if (!e.isString()) {
            return e.aggregateEncoding();
        }
        if (e.raw()) {
            return "raw";
        }
        if (!e.notInt() && e.length <= 20 && number.parseLong(e.valueArray(), e.valueOffset(), e.length)) {
            return "int";
        }
        return e.length <= 44 ? "embstr" : "raw";
    }

    static String truncated(String text) {
        return text.length() > 128 ? text.substring(0, 128) : text;
    }
}
