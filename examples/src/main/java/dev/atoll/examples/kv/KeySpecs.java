package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flags of each command's key specs as redis-server 7.0.15 lists them in COMMAND INFO (facts
 * copied from it, spec by spec), for COMMAND GETKEYSANDFLAGS: a command's first key takes its first
 * spec's flags, the others its second's (Redis's order: source then destination, or destination then
 * sources); a spec of {@code not_key} (shard channels) names no key.
 */
final class KeySpecs {
    private static final String TABLE = """
            move: RW access update
            watch: RO
            ssubscribe: not_key
            sunsubscribe: not_key
            spublish: not_key
            get: RO access
            set: RW access update variable_flags
            setnx: OW insert
            getdel: RW access delete
            strlen: RO
            append: RW insert
            incr: RW access update
            decr: RW access update
            incrby: RW access update
            decrby: RW access update
            expire: RW update
            pexpire: RW update
            expireat: RW update
            pexpireat: RW update
            ttl: RO access
            pttl: RO access
            persist: RW update
            type: RO
            setex: OW update
            psetex: OW update
            getex: RW access update
            dump: RO access
            restore: OW update
            getset: RW access update
            setrange: RW update
            pfdebug: RW access
            pfadd: RW insert
            getrange: RO access
            substr: RO access
            incrbyfloat: RW access update
            setbit: RW access update
            getbit: RO access
            bitcount: RO access
            bitpos: RO access
            bitfield: RW access update variable_flags
            bitfield_ro: RO access
            sort: RO access|RO access|OW update
            sort_ro: RO access|RO access
            expiretime: RO access
            pexpiretime: RO access
            hset: RW update
            hmset: RW update
            hsetnx: RW insert
            hget: RO access
            hmget: RO access
            hdel: RW delete
            hlen: RO
            hexists: RO
            hgetall: RO access
            hkeys: RO access
            hvals: RO access
            hincrby: RW access update
            hincrbyfloat: RW access update
            hstrlen: RO
            hrandfield: RO access
            hscan: RO access
            lpush: RW insert
            rpush: RW insert
            lpushx: RW insert
            rpushx: RW insert
            lpop: RW access delete
            rpop: RW access delete
            llen: RO
            lrange: RO access
            lindex: RO access
            lset: RW update
            linsert: RW insert
            lrem: RW delete
            ltrim: RW delete
            lpos: RO access
            lmove: RW access delete|RW insert
            rpoplpush: RW access delete|RW insert
            lmpop: RW access delete
            blpop: RW access delete
            brpop: RW access delete
            blmove: RW access delete|RW insert
            brpoplpush: RW access delete|RW insert
            blmpop: RW access delete
            xadd: RW update
            xlen: RO
            xrange: RO access
            xrevrange: RO access
            xdel: RW delete
            xtrim: RW delete
            xsetid: RW update
            xread: RO access
            sadd: RW insert
            srem: RW delete
            scard: RO
            sismember: RO
            smismember: RO access
            smembers: RO access
            srandmember: RO access
            spop: RW access delete
            sscan: RO access
            smove: RW access delete|RW insert
            sinter: RO access
            sintercard: RO access
            sunion: RO access
            sdiff: RO access
            sinterstore: RW update|RO access
            sunionstore: OW update|RO access
            sdiffstore: OW update|RO access
            zadd: RW update
            zincrby: RW access update
            zrem: RW delete
            zcard: RO
            zscore: RO access
            zmscore: RO access
            zrank: RO access
            zrevrank: RO access
            zcount: RO access
            zlexcount: RO access
            zrange: RO access
            zrevrange: RO access
            zrangebyscore: RO access
            zrevrangebyscore: RO access
            zrangebylex: RO access
            zrevrangebylex: RO access
            zpopmin: RW access delete
            zpopmax: RW access delete
            zrandmember: RO access
            zremrangebyrank: RW delete
            zremrangebyscore: RW delete
            zremrangebylex: RW delete
            zscan: RO access
            zrangestore: OW update|RO access
            zunion: RO access
            zinter: RO access
            zdiff: RO access
            zintercard: RO access
            zunionstore: OW update|RO access
            zinterstore: OW update|RO access
            zdiffstore: OW update|RO access
            bzpopmin: RW access delete
            bzpopmax: RW access delete
            bzmpop: RW access delete
            zmpop: RW access delete
            geoadd: RW update
            geopos: RO access
            geodist: RO access
            geohash: RO access
            geosearch: RO access
            georadius_ro: RO access
            georadiusbymember_ro: RO access
            georadius: RO access|OW update|OW update
            georadiusbymember: RO access|OW update|OW update
            geosearchstore: OW update|RO access
            msetnx: OW insert
            bitop: OW update|RO access
            pfcount: RW access
            pfmerge: RW access insert|RO access
            lcs: RO access
            rename: RW access delete|OW update
            renamenx: RW access delete|OW insert
            copy: RO access|OW update
            mget: RO access
            mset: OW update
            del: RM delete
            unlink: RM delete
            exists: RO
            touch: RO
            """;
    private static final Map<Command, String[]> FLAGS = new EnumMap<>(Command.class);

    static {
        for (String line : TABLE.strip().split("\n")) {
            int colon = line.indexOf(':');
            Command c = Command.valueOf(line.substring(0, colon).strip().toUpperCase(Locale.ROOT));
            FLAGS.put(c, line.substring(colon + 1).strip().split("\\|"));
        }
    }

    private KeySpecs() {
    }

    /** Whether {@code c} has keys by its specs (Redis's "The command has no key arguments" otherwise). */
    static boolean hasKeys(Command c) {
        String[] specs = FLAGS.get(c);
        return c == Command.OBJECT || c == Command.MEMORY || c == Command.XINFO
                || specs != null && !specs[0].equals("not_key");
    }

    /**
     * The flags of key number {@code k} of {@code c} with the arguments of {@code r}: Redis's
     * variable flags resolved as it does (SET without GET overwrites; BITFIELD of GETs only reads).
     */
    static List<String> flags(Command c, int k, Request r) {
        if (c == Command.SET && !hasArgument(r, "get")) {
            return List.of("OW", "update");
        }
        if (c == Command.BITFIELD && readsOnly(r)) {
            return List.of("RO", "access");
        }
        String[] specs = FLAGS.get(c);
        if (specs == null) { // OBJECT, MEMORY USAGE, XINFO: their subcommands' specs
            return c == Command.XINFO ? List.of("RO", "access") : List.of("RO");
        }
        List<String> flags = new ArrayList<>(List.of(specs[Math.min(k, specs.length - 1)].strip().split(" ")));
        flags.remove("variable_flags");
        return flags;
    }

    private static boolean hasArgument(Request r, String word) {
        for (int i = 3; i < r.count(); i++) {
            if (r.string(i).equalsIgnoreCase(word)) {
                return true;
            }
        }
        return false;
    }

    private static boolean readsOnly(Request r) {
        for (int i = 2; i < r.count(); i++) {
            String word = r.string(i).toLowerCase(Locale.ROOT);
            if (word.equals("set") || word.equals("incrby")) {
                return false;
            }
        }
        return true;
    }
}
