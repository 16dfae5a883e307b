package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keyspace notifications as redis-server 7.0.15 sends them: each command of a script is followed by
 * exactly the events it sent there (recorded from it with {@code notify-keyspace-events KEA} and a
 * {@code PSUBSCRIBE __key*__:*} client), keyspace then keyevent message for each — strings, keys,
 * lists, sets, hashes, sorted sets, streams and their consumer groups; key misses (with {@code KEm}); a command that changed nothing or failed sends none; {@code expired}, {@code evicted} and {@code new}; CONFIG GET's spelling
 * of the setting and CONFIG SET's refusal as Redis's. A subscriber on one shard receives the events
 * of keys of both.
 */
class KvKeyspaceEventsTest extends KvOneAndTwoShards {
    /** A command, then the events redis-server sent for it: key and event name, in order. */
    private static final Object[][] SCRIPT = {
        {List.of("SET", "a", "1"), List.of("a set")},
        {List.of("SET", "a", "2", "EX", "100"), List.of("a set", "a expire")},
        {List.of("SETNX", "a", "x"), List.of()},
        {List.of("SETEX", "b", "10", "v"), List.of("b set", "b expire")},
        {List.of("APPEND", "a", "z"), List.of("a append")},
        {List.of("INCR", "n"), List.of("n incrby")},
        {List.of("INCRBYFLOAT", "n", "1.5"), List.of("n incrbyfloat")},
        {List.of("SETRANGE", "a", "0", "q"), List.of("a setrange")},
        {List.of("SETBIT", "bits", "3", "1"), List.of("bits setbit")},
        {List.of("GETSET", "a", "g"), List.of("a set")},
        {List.of("MSET", "{m}1", "1", "{m}2", "2"), List.of("{m}1 set", "{m}2 set")},
        {List.of("MSETNX", "{m}1", "x", "{m}3", "y"), List.of()},
        {List.of("EXPIRE", "{m}1", "100"), List.of("{m}1 expire")},
        {List.of("PERSIST", "{m}1"), List.of("{m}1 persist")},
        {List.of("PERSIST", "{m}1"), List.of()},
        {List.of("GETEX", "b", "EX", "50"), List.of("b expire")},
        {List.of("GETEX", "b", "PERSIST"), List.of("b persist")},
        {List.of("GETDEL", "b"), List.of("b del")},
        {List.of("DEL", "{d}a", "{d}nokey"), List.of()},
        {List.of("SET", "{d}a", "v"), List.of("{d}a set")},
        {List.of("DEL", "{d}a", "{d}nokey"), List.of("{d}a del")},
        {List.of("SET", "{r}1", "v"), List.of("{r}1 set")},
        {List.of("RENAME", "{r}1", "{r}2"), List.of("{r}1 rename_from", "{r}2 rename_to")},
        {List.of("COPY", "{r}2", "{r}3"), List.of("{r}3 copy_to")},
        {List.of("EXPIRE", "{r}3", "-1"), List.of("{r}3 del")},
        {List.of("LPUSH", "l", "a", "b"), List.of("l lpush")},
        {List.of("LPUSHX", "nol", "a"), List.of()},
        {List.of("LINSERT", "l", "BEFORE", "nosuch", "x"), List.of()},
        {List.of("LINSERT", "l", "BEFORE", "a", "x"), List.of("l linsert")},
        {List.of("LSET", "l", "99", "q"), List.of()},
        {List.of("LSET", "l", "0", "q"), List.of("l lset")},
        {List.of("LREM", "l", "0", "zz"), List.of()},
        {List.of("LREM", "l", "0", "x"), List.of("l lrem")},
        {List.of("LTRIM", "l", "0", "0"), List.of("l ltrim")},
        {List.of("RPOP", "l"), List.of("l rpop", "l del")},
        {List.of("LPOP", "l"), List.of()},
        {List.of("SADD", "s", "a", "b"), List.of("s sadd")},
        {List.of("SADD", "s", "a"), List.of()},
        {List.of("SREM", "s", "z"), List.of()},
        {List.of("SREM", "s", "a"), List.of("s srem")},
        {List.of("SPOP", "s"), List.of("s spop", "s del")},
        {List.of("HSET", "h", "f", "v"), List.of("h hset")},
        {List.of("HSET", "h", "f", "v"), List.of("h hset")},
        {List.of("HSETNX", "h", "f", "v"), List.of()},
        {List.of("HINCRBY", "h", "n", "1"), List.of("h hincrby")},
        {List.of("HDEL", "h", "zz"), List.of()},
        {List.of("HDEL", "h", "f", "n"), List.of("h hdel", "h del")},
        {List.of("ZADD", "z", "1", "a", "2", "b"), List.of("z zadd")},
        {List.of("ZADD", "z", "1", "a"), List.of()},
        {List.of("ZADD", "z", "5", "a"), List.of("z zadd")},
        {List.of("ZADD", "z", "NX", "9", "a"), List.of()},
        {List.of("ZINCRBY", "z", "1", "c"), List.of("z zincr")},
        {List.of("ZREM", "z", "nosuch"), List.of()},
        {List.of("ZPOPMIN", "z"), List.of("z zpopmin")},
        {List.of("ZREMRANGEBYLEX", "z", "-", "+"), List.of("z zremrangebylex", "z del")},
        // multi-key, stream and geo commands (keys of one shard), and the blocking pops served at once
        {List.of("RPUSH", "{t}a", "1", "2"), List.of("{t}a rpush")},
        {List.of("LMOVE", "{t}a", "{t}b", "LEFT", "RIGHT"), List.of("{t}b rpush", "{t}a lpop")},
        {List.of("LMOVE", "{t}a", "{t}b", "RIGHT", "LEFT"), List.of("{t}b lpush", "{t}a rpop", "{t}a del")},
        {List.of("LMOVE", "{t}a", "{t}b", "LEFT", "LEFT"), List.of()},
        {List.of("RPUSH", "{t}a", "x"), List.of("{t}a rpush")},
        {List.of("RPOPLPUSH", "{t}a", "{t}a"), List.of("{t}a lpush", "{t}a rpop")},
        {List.of("RPOPLPUSH", "{t}a", "{t}b"), List.of("{t}b lpush", "{t}a rpop", "{t}a del")},
        {List.of("SET", "{t}str", "v"), List.of("{t}str set")},
        {List.of("LMOVE", "{t}b", "{t}str", "LEFT", "LEFT"), List.of()},
        {List.of("RPUSH", "{t}c", "1", "2", "3"), List.of("{t}c rpush")},
        {List.of("LMPOP", "2", "{t}nokey", "{t}c", "LEFT", "COUNT", "2"), List.of("{t}c lpop")},
        {List.of("LMPOP", "1", "{t}c", "RIGHT", "COUNT", "5"), List.of("{t}c rpop", "{t}c del")},
        {List.of("ZADD", "{t}z", "1", "a", "2", "b"), List.of("{t}z zadd")},
        {List.of("ZMPOP", "1", "{t}z", "MIN", "COUNT", "1"), List.of("{t}z zpopmin")},
        {List.of("ZMPOP", "2", "{t}nokey", "{t}z", "MAX", "COUNT", "5"), List.of("{t}z zpopmax", "{t}z del")},
        {List.of("SADD", "{t}s1", "a", "b"), List.of("{t}s1 sadd")},
        {List.of("SMOVE", "{t}s1", "{t}s2", "a"), List.of("{t}s1 srem", "{t}s2 sadd")},
        {List.of("SMOVE", "{t}s1", "{t}s2", "b"), List.of("{t}s1 srem", "{t}s1 del", "{t}s2 sadd")},
        {List.of("SMOVE", "{t}s2", "{t}s2", "a"), List.of()},
        {List.of("SMOVE", "{t}s2", "{t}s3", "zz"), List.of()},
        {List.of("SADD", "{t}x", "1", "2"), List.of("{t}x sadd")},
        {List.of("SADD", "{t}y", "2", "3"), List.of("{t}y sadd")},
        {List.of("SINTERSTORE", "{t}d", "{t}x", "{t}y"), List.of("{t}d sinterstore")},
        {List.of("SUNIONSTORE", "{t}d", "{t}x", "{t}y"), List.of("{t}d sunionstore")},
        {List.of("SDIFFSTORE", "{t}d", "{t}x", "{t}y"), List.of("{t}d sdiffstore")},
        {List.of("SINTERSTORE", "{t}d", "{t}x", "{t}nokey"), List.of("{t}d del")},
        {List.of("SINTERSTORE", "{t}d", "{t}x", "{t}nokey"), List.of()},
        {List.of("ZADD", "{t}zx", "1", "a", "2", "b"), List.of("{t}zx zadd")},
        {List.of("ZADD", "{t}zy", "1", "b"), List.of("{t}zy zadd")},
        {List.of("ZUNIONSTORE", "{t}zd", "2", "{t}zx", "{t}zy"), List.of("{t}zd zunionstore")},
        {List.of("ZINTERSTORE", "{t}zd", "2", "{t}zx", "{t}zy"), List.of("{t}zd zinterstore")},
        {List.of("ZDIFFSTORE", "{t}zd", "2", "{t}zx", "{t}zy"), List.of("{t}zd zdiffstore")},
        {List.of("ZRANGESTORE", "{t}zd2", "{t}zx", "0", "-1"), List.of("{t}zd2 zrangestore")},
        {List.of("ZINTERSTORE", "{t}zd", "2", "{t}zx", "{t}nokey"), List.of("{t}zd del")},
        {List.of("ZINTERSTORE", "{t}zd", "2", "{t}zx", "{t}nokey"), List.of()},
        {List.of("ZRANGESTORE", "{t}zd2", "{t}zx", "5", "6"), List.of("{t}zd2 del")},
        {List.of("RPUSH", "{t}l", "3", "1", "2"), List.of("{t}l rpush")},
        {List.of("SORT", "{t}l", "STORE", "{t}sl"), List.of("{t}sl sortstore")},
        {List.of("SORT", "{t}nokey", "STORE", "{t}sl"), List.of("{t}sl del")},
        {List.of("SORT", "{t}nokey", "STORE", "{t}sl"), List.of()},
        {List.of("SORT", "{t}l"), List.of()},
        {List.of("SET", "{t}k1", "abc"), List.of("{t}k1 set")},
        {List.of("SET", "{t}k2", "abd"), List.of("{t}k2 set")},
        {List.of("BITOP", "AND", "{t}bd", "{t}k1", "{t}k2"), List.of("{t}bd set")},
        {List.of("BITOP", "AND", "{t}bd", "{t}nokey", "{t}nokey2"), List.of("{t}bd del")},
        {List.of("BITOP", "AND", "{t}bd", "{t}nokey", "{t}nokey2"), List.of()},
        {List.of("PFADD", "{t}h", "a", "b"), List.of("{t}h pfadd")},
        {List.of("PFADD", "{t}h", "a"), List.of()},
        {List.of("PFADD", "{t}h2", "c"), List.of("{t}h2 pfadd")},
        {List.of("PFMERGE", "{t}h3", "{t}h", "{t}h2"), List.of("{t}h3 pfadd")},
        {List.of("PFMERGE", "{t}h3", "{t}h", "{t}h2"), List.of("{t}h3 pfadd")},
        {List.of("PFADD", "{t}h4"), List.of("{t}h4 pfadd")},
        {List.of("MSETNX", "{t}m1", "1", "{t}m2", "2"), List.of("{t}m1 set", "{t}m2 set")},
        {List.of("MSETNX", "{t}m1", "1", "{t}m3", "3"), List.of()},
        {List.of("GEOADD", "{t}g", "13.361389", "38.115556", "Palermo"), List.of("{t}g zadd")},
        {List.of("GEOADD", "{t}g", "13.361389", "38.115556", "Palermo"), List.of()},
        {List.of("GEOADD", "{t}g", "15.087269", "37.502669", "Catania"), List.of("{t}g zadd")},
        {List.of("GEOADD", "{t}g", "XX", "15.087269", "37.0", "Catania"), List.of("{t}g zadd")},
        {List.of("GEOSEARCHSTORE", "{t}gs", "{t}g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"), List.of("{t}gs geosearchstore")},
        {List.of("GEOSEARCHSTORE", "{t}gs", "{t}g", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"), List.of("{t}gs del")},
        {List.of("GEOSEARCHSTORE", "{t}gs", "{t}g", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"), List.of()},
        {List.of("GEORADIUS", "{t}g", "15", "37", "200", "km", "STORE", "{t}gr"), List.of("{t}gr georadiusstore")},
        {List.of("GEORADIUS", "{t}g", "15", "37", "200", "km", "STOREDIST", "{t}gr"), List.of("{t}gr georadiusstore")},
        {List.of("GEORADIUS", "{t}g", "15", "37", "200", "km"), List.of()},
        {List.of("GEORADIUSBYMEMBER", "{t}g", "Palermo", "500", "km", "STORE", "{t}gr"), List.of("{t}gr georadiusstore")},
        {List.of("XADD", "st", "1-1", "f", "v"), List.of("st xadd")},
        {List.of("XADD", "st", "2-1", "f", "v"), List.of("st xadd")},
        {List.of("XADD", "st", "MAXLEN", "1", "3-1", "f", "v"), List.of("st xadd", "st xtrim")},
        {List.of("XDEL", "st", "3-1"), List.of("st xdel")},
        {List.of("XDEL", "st", "9-9"), List.of()},
        {List.of("XADD", "st", "4-1", "f", "v"), List.of("st xadd")},
        {List.of("XTRIM", "st", "MAXLEN", "0"), List.of("st xtrim")},
        {List.of("XTRIM", "st", "MAXLEN", "0"), List.of()},
        {List.of("XSETID", "st", "10-1"), List.of("st xsetid")},
        {List.of("XADD", "st2", "NOMKSTREAM", "*", "f", "v"), List.of()},
        {List.of("XADD", "st", "1-1", "f", "v"), List.of()},
        // consumer groups: XGROUP's subcommands, and the consumers XREADGROUP, XCLAIM and XAUTOCLAIM make when they must
        {List.of("XGROUP", "CREATE", "gs", "g", "$", "MKSTREAM"), List.of("gs xgroup-create")},
        {List.of("XGROUP", "CREATE", "gs", "g", "$"), List.of()},
        {List.of("XGROUP", "CREATE", "nogs", "g", "$"), List.of()},
        {List.of("XADD", "gs", "1-1", "f", "v"), List.of("gs xadd")},
        {List.of("XADD", "gs", "2-1", "f", "v"), List.of("gs xadd")},
        {List.of("XGROUP", "CREATE", "gs", "g2", "0", "ENTRIESREAD", "0"), List.of("gs xgroup-create")},
        {List.of("XGROUP", "CREATECONSUMER", "gs", "g", "c"), List.of("gs xgroup-createconsumer")},
        {List.of("XGROUP", "CREATECONSUMER", "gs", "g", "c"), List.of()},
        {List.of("XGROUP", "CREATECONSUMER", "gs", "nog", "c"), List.of()},
        {List.of("XGROUP", "SETID", "gs", "g", "0"), List.of("gs xgroup-setid")},
        {List.of("XGROUP", "SETID", "gs", "g", "0", "ENTRIESREAD", "1"), List.of("gs xgroup-setid")},
        {List.of("XGROUP", "SETID", "gs", "nog", "0"), List.of()},
        {List.of("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "gs", ">"), List.of("gs xgroup-createconsumer")},
        {List.of("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "gs", "0"), List.of("gs xgroup-createconsumer")},
        {List.of("XREADGROUP", "GROUP", "g", "c5", "STREAMS", "gs", "x"), List.of()},
        {List.of("XACK", "gs", "g", "1-1"), List.of()},
        {List.of("XCLAIM", "gs", "g", "c6", "0", "2-1"), List.of("gs xgroup-createconsumer")},
        {List.of("XCLAIM", "gs", "g", "c7", "0", "9-9"), List.of()},
        {List.of("XCLAIM", "gs", "g", "c8", "0", "1-1", "FORCE"), List.of("gs xgroup-createconsumer")},
        {List.of("XAUTOCLAIM", "gs", "g", "c9", "0", "0", "COUNT", "1"), List.of("gs xgroup-createconsumer")},
        {List.of("XAUTOCLAIM", "gs", "g2", "c10", "0", "0"), List.of()},
        {List.of("XGROUP", "DELCONSUMER", "gs", "g", "c9"), List.of("gs xgroup-delconsumer")},
        {List.of("XGROUP", "DELCONSUMER", "gs", "g", "c9"), List.of()},
        {List.of("XGROUP", "DESTROY", "gs", "g"), List.of("gs xgroup-destroy")},
        {List.of("XGROUP", "DESTROY", "gs", "g"), List.of()},
        {List.of("XINFO", "GROUPS", "gs"), List.of()},
        {List.of("RPUSH", "{t}c", "9"), List.of("{t}c rpush")},
        {List.of("BLPOP", "{t}c", "0"), List.of("{t}c lpop", "{t}c del")},
        {List.of("ZADD", "{t}zz", "1", "a"), List.of("{t}zz zadd")},
        {List.of("BZPOPMIN", "{t}zz", "0"), List.of("{t}zz zpopmin", "{t}zz del")},
        {List.of("BLMOVE", "{t}str", "{t}b", "LEFT", "LEFT", "0"), List.of()},
        {List.of("BLMOVE", "{t}b", "{t}b2", "LEFT", "LEFT", "0"), List.of("{t}b2 lpush", "{t}b lpop")},
        {List.of("RPUSH", "{t}ma", "p", "q"), List.of("{t}ma rpush")},
        {List.of("MULTI"), List.of()},
        {List.of("BLMOVE", "{t}ma", "{t}mb", "RIGHT", "LEFT", "0"), List.of()},
        {List.of("BLPOP", "{t}ma", "0"), List.of()},
        {List.of("EXEC"), List.of("{t}mb lpush", "{t}ma rpop", "{t}ma lpop", "{t}ma del")},
        {List.of("LPUSH", "a", "x"), List.of()}, // WRONGTYPE: no event
        {List.of("SET", "x", "y", "PX", "1"), List.of("x set", "x expire")},
    };

    /**
     * Key misses (class m, which A does not include), recorded from redis-server 7.0.15 with {@code KEm}: the
     * reads of an absent key, each key as often as the command looks it up (MGET and EXISTS of a key named
     * twice, XREAD's two passes), the writes that read a key first (GETDEL, GETEX, GETSET, SET ... GET, a
     * store's sources, PFMERGE's destination, COPY's source, XACK, XCLAIM, XAUTOCLAIM); none for OBJECT,
     * MEMORY, the writes that look their key up to write it (LPOP, HDEL, SMOVE, RENAME), an argument error
     * or a WRONGTYPE; a missing key's own error (ERR no such key, NOGROUP) after it.
     */
    private static final Object[][] MISSES = {
        {List.of("SET", "{t}s", "v"), List.of()},
        {List.of("RPUSH", "{t}l", "1", "2"), List.of()},
        {List.of("SADD", "{t}set", "a"), List.of()},
        {List.of("ZADD", "{t}z", "1", "a"), List.of()},
        {List.of("HSET", "{t}h", "f", "v"), List.of()},
        {List.of("XADD", "{t}st", "1-1", "f", "v"), List.of()},
        {List.of("GET", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("GET", "{t}s"), List.of()},
        {List.of("MGET", "{t}s", "{t}nk", "{t}nk2", "{t}nk"), List.of("{t}nk keymiss", "{t}nk2 keymiss", "{t}nk keymiss")},
        {List.of("EXISTS", "{t}s", "{t}nk", "{t}nk"), List.of("{t}nk keymiss", "{t}nk keymiss")},
        {List.of("TOUCH", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("TYPE", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("TTL", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("PTTL", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("EXPIRETIME", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("STRLEN", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("GETRANGE", "{t}nk", "0", "1"), List.of("{t}nk keymiss")},
        {List.of("GETBIT", "{t}nk", "0"), List.of("{t}nk keymiss")},
        {List.of("BITCOUNT", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("BITPOS", "{t}nk", "1"), List.of("{t}nk keymiss")},
        {List.of("BITFIELD_RO", "{t}nk", "GET", "u8", "0"), List.of("{t}nk keymiss")},
        {List.of("LCS", "{t}s", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("DUMP", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("OBJECT", "ENCODING", "{t}nk"), List.of()},
        {List.of("MEMORY", "USAGE", "{t}nk"), List.of()},
        {List.of("GETDEL", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("GETEX", "{t}nk", "EX", "10"), List.of("{t}nk keymiss")},
        {List.of("GETSET", "{t}nk", "v"), List.of("{t}nk keymiss")},
        {List.of("DEL", "{t}nk"), List.of()},
        {List.of("SET", "{t}nk", "v", "GET"), List.of("{t}nk keymiss")},
        {List.of("SET", "{t}nk", "v"), List.of()},
        {List.of("SET", "{t}nk2", "v", "GET"), List.of("{t}nk2 keymiss")},
        {List.of("DEL", "{t}nk", "{t}nk2"), List.of()},
        {List.of("HGET", "{t}nk", "f"), List.of("{t}nk keymiss")},
        {List.of("HGETALL", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("HGET", "{t}h", "nofield"), List.of()},
        {List.of("HDEL", "{t}nk", "f"), List.of()},
        {List.of("LRANGE", "{t}nk", "0", "-1"), List.of("{t}nk keymiss")},
        {List.of("LLEN", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("LINDEX", "{t}nk", "0"), List.of("{t}nk keymiss")},
        {List.of("LPOS", "{t}nk", "a"), List.of("{t}nk keymiss")},
        {List.of("LPOP", "{t}nk"), List.of()},
        {List.of("LMOVE", "{t}nk", "{t}l", "LEFT", "LEFT"), List.of()},
        {List.of("SMEMBERS", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("SISMEMBER", "{t}nk", "a"), List.of("{t}nk keymiss")},
        {List.of("SINTER", "{t}set", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("SUNION", "{t}nk", "{t}set"), List.of("{t}nk keymiss")},
        {List.of("SDIFF", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("SINTERCARD", "2", "{t}nk", "{t}set"), List.of("{t}nk keymiss")},
        {List.of("SINTERSTORE", "{t}d", "{t}set", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("SUNIONSTORE", "{t}d", "{t}nk", "{t}set"), List.of("{t}nk keymiss")},
        {List.of("SMOVE", "{t}nk", "{t}set", "a"), List.of()},
        {List.of("ZSCORE", "{t}nk", "a"), List.of("{t}nk keymiss")},
        {List.of("ZRANGE", "{t}nk", "0", "-1"), List.of("{t}nk keymiss")},
        {List.of("ZCARD", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("ZUNION", "2", "{t}z", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("ZINTERSTORE", "{t}zd", "2", "{t}z", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("ZRANGESTORE", "{t}zd", "{t}nk", "0", "-1"), List.of("{t}nk keymiss")},
        {List.of("ZPOPMIN", "{t}nk"), List.of()},
        {List.of("ZRANGE", "{t}nk", "0", "x"), List.of()},
        {List.of("SORT", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("SORT_RO", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("SORT", "{t}nk", "STORE", "{t}d"), List.of("{t}nk keymiss")},
        {List.of("BITOP", "AND", "{t}bd", "{t}s", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("PFCOUNT", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("PFMERGE", "{t}nk", "{t}nk2"), List.of("{t}nk keymiss", "{t}nk2 keymiss")},
        {List.of("DEL", "{t}nk"), List.of()},
        {List.of("GEOPOS", "{t}nk", "a"), List.of("{t}nk keymiss")},
        {List.of("GEOSEARCHSTORE", "{t}gd", "{t}nk", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"), List.of("{t}nk keymiss")},
        {List.of("GEORADIUS", "{t}nk", "0", "0", "1", "km"), List.of("{t}nk keymiss")},
        {List.of("COPY", "{t}nk", "{t}d"), List.of("{t}nk keymiss")},
        {List.of("RENAME", "{t}nk", "{t}d"), List.of()},
        {List.of("XLEN", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("XRANGE", "{t}nk", "-", "+"), List.of("{t}nk keymiss")},
        {List.of("XINFO", "STREAM", "{t}nk"), List.of("{t}nk keymiss")},
        {List.of("XPENDING", "{t}nk", "g"), List.of("{t}nk keymiss")},
        {List.of("XACK", "{t}nk", "g", "1-1"), List.of("{t}nk keymiss")},
        {List.of("XCLAIM", "{t}nk", "g", "c", "0", "1-1"), List.of("{t}nk keymiss")},
        {List.of("XAUTOCLAIM", "{t}nk", "g", "c", "0", "0"), List.of("{t}nk keymiss")},
        {List.of("XGROUP", "CREATE", "{t}st", "g", "$"), List.of()},
        {List.of("XREADGROUP", "GROUP", "g", "c", "STREAMS", "{t}st", "{t}nk", ">", ">"), List.of("{t}nk keymiss")},
        {List.of("XREADGROUP", "GROUP", "g", "c", "STREAMS", "{t}nk", "{t}st", ">", ">"), List.of("{t}nk keymiss")},
        {List.of("XREADGROUP", "GROUP", "g", "c", "STREAMS", "{t}st", ">"), List.of()},
        {List.of("XREAD", "STREAMS", "{t}nk", "{t}st", "{t}nk2", "0", "0", "0"), List.of("{t}nk keymiss", "{t}nk2 keymiss", "{t}nk keymiss", "{t}nk2 keymiss")},
        {List.of("XREAD", "STREAMS", "{t}nk", "{t}nk2", "0", "x"), List.of("{t}nk keymiss", "{t}nk2 keymiss")},
        {List.of("XREAD", "STREAMS", "{t}nk", "{t}s", "0", "0"), List.of("{t}nk keymiss")},
        {List.of("HGET", "{t}s", "f"), List.of()},
    };

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void readsOfAbsentKeysSendKeymissAsRedisDoes(int shards) throws Exception {
        try (RespClient c = server(shards).client(); RespClient sub = server(shards).client()) {
            withEvents(c, sub, "KEm", () -> {
                run(c, sub, MISSES, events -> events);
                // A key whose time passed: expired, then keymiss, as Redis's lookup sends them.
                assertEquals("OK", c.call("CONFIG", "SET", "notify-keyspace-events", "KExm"));
                assertEquals("OK", c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
                try {
                    assertEquals("OK", c.call("SET", "x", "y", "PX", "1"));
                    long until = System.currentTimeMillis() + 2;
                    while (System.currentTimeMillis() < until) {
                        Thread.onSpinWait();
                    }
                    assertNull(c.call("GET", "x"));
                    assertEquals(List.of("x expired", "x keymiss"), read(sub, 2));
                } finally {
                    assertEquals("OK", c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
                }
                // A (every class but m and n) sends none.
                assertEquals("OK", c.call("CONFIG", "SET", "notify-keyspace-events", "KEA"));
                assertNull(c.call("GET", "x"));
                nothingMore(c, sub);
            });
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void eachCommandSendsTheEventsRedisSends(int shards) throws Exception {
        try (RespClient c = server(shards).client(); RespClient sub = server(shards).client()) {
            withEvents(c, sub, "KEA", () -> {
                run(c, sub, SCRIPT, events -> events);
                // x's millisecond passes: whoever removes it (a read or the sampling) sends expired, once.
                while ((Long) c.call("EXISTS", "x") == 1) {
                    Thread.onSpinWait();
                }
                assertEquals(List.of("x expired"), read(sub, 1));
                // Nothing was sent that the script did not expect (a command that changed nothing sent nothing).
                assertEquals("PONG", c.call("PING"));
                nothingMore(c, sub);
            });
        }
    }

    /** Steps that may throw. */
    interface Steps {
        void run() throws Exception;
    }

    /**
     * {@code steps} with {@code notify-keyspace-events} set to {@code classes} and {@code sub} subscribed to
     * every event; then the setting back to none and the keys gone (the servers are shared by the tests).
     */
    static void withEvents(RespClient c, RespClient sub, String classes, Steps steps) throws Exception {
        assertEquals("OK", c.call("CONFIG", "SET", "notify-keyspace-events", classes));
        try {
            sub.call("PSUBSCRIBE", "__key*__:*");
            steps.run();
        } finally {
            assertEquals("OK", c.call("CONFIG", "SET", "notify-keyspace-events", ""));
            c.call("FLUSHALL");
        }
    }

    /** That {@code sub} got no event beyond those read: the next one is that of a SET from {@code c}. */
    static void nothingMore(RespClient c, RespClient sub) throws Exception {
        assertEquals("OK", c.call("SET", "end", "1"));
        assertEquals(List.of("end set"), read(sub, 1), "the next event is the last command's");
    }

    /**
     * Runs each command of {@code script} from {@code c}, then reads the events it lists from {@code sub}
     * and compares them as {@code seen} makes them comparable (as they are, or grouped by key).
     */
    static void run(RespClient c, RespClient sub, Object[][] script, java.util.function.Function<List<String>, Object> seen)
            throws Exception {
        for (Object[] step : script) {
            @SuppressWarnings("unchecked")
            List<String> command = (List<String>) step[0];
            c.call(command.toArray(String[]::new));
            @SuppressWarnings("unchecked")
            List<String> events = (List<String>) step[1];
            assertEquals(seen.apply(events), seen.apply(read(sub, events.size())), String.join(" ", command));
        }
    }

    /** {@code n} events of {@code sub}: each as a keyspace and a keyevent message, checked to agree. */
    static List<String> read(RespClient sub, int n) throws Exception {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<?> keyspace = (List<?>) sub.read();
            List<?> keyevent = (List<?>) sub.read();
            String key = ((String) keyspace.get(2)).substring("__keyspace@0__:".length());
            String event = (String) keyspace.get(3);
            assertEquals(List.of("pmessage", "__key*__:*", "__keyevent@0__:" + event, key), keyevent);
            events.add(key + " " + event);
        }
        return events;
    }

    @Test
    void theSettingIsSpelledAndRefusedAsRedisDoes() throws Exception {
        try (RespClient c = server(1).client()) {
            String[][] spelled = {{"KEA", "AKE"}, {"Eg", "gE"}, {"Kx", "xK"}, {"Egx$lshzetdmn", "AEm"}, {"AKEmn", "AKEm"},
                {"g$lshzxetd", "A"}, {"KEgnm", "gnKEm"}, {"", ""}};
            for (String[] s : spelled) {
                assertEquals("OK", c.call("CONFIG", "SET", "notify-keyspace-events", s[0]));
                assertEquals(List.of("notify-keyspace-events", s[1]), c.call("CONFIG", "GET", "notify-keyspace-events"), s[0]);
            }
            assertEquals(new RespClient.Error("ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events')"
                    + " - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
                    c.call("CONFIG", "SET", "notify-keyspace-events", "gq"));
            assertEquals(List.of("notify-keyspace-events", ""), c.call("CONFIG", "GET", "notify-keyspace-events"));
        }
    }

    /** {@code kv.notify-keyspace-events} in the configuration: sent from the start, CONFIG GET shows it, CONFIG SET changes it. */
    @Test
    void theConfiguredClassesAreSentFromTheStart() throws Exception {
        KvSettings settings = KvSettings.from(dev.atoll.config.AtollConfig.parse(
                "kv { appendonly = no, maxmemory = 0, notify-keyspace-events = KEA }", "test").reader());
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings);
             RespClient c = server.client(); RespClient sub = server.client()) {
            assertEquals(List.of("notify-keyspace-events", "AKE"), c.call("CONFIG", "GET", "notify-keyspace-events"));
            sub.call("PSUBSCRIBE", "__key*__:*");
            run(c, sub, new Object[][] {{List.of("RPUSH", "l", "a"), List.of("l rpush")}, {List.of("GET", "nokey"), List.of()}},
                    events -> events);
            assertEquals("OK", c.call("CONFIG", "SET", "notify-keyspace-events", "KEm"));
            run(c, sub, new Object[][] {{List.of("RPUSH", "l", "b"), List.of()}, {List.of("GET", "nokey"), List.of("nokey keymiss")}},
                    events -> events);
        }
    }

    @Test
    void newKeysAndEvictionsAreSentFromEveryShard() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = server.client(); RespClient sub = server.client()) {
            assertEquals("OK", c.call("CONFIG", "SET", "notify-keyspace-events", "Kn"));
            sub.call("SUBSCRIBE", "__keyspace@0__:k", "__keyspace@0__:l");
            sub.read();
            c.call("SET", "k", "v");
            c.call("SET", "k", "w"); // not new
            c.call("LPUSH", "l", "a");
            assertEquals(List.of("message", "__keyspace@0__:k", "new"), sub.read());
            assertEquals(List.of("message", "__keyspace@0__:l", "new"), sub.read());

            assertEquals("OK", c.call("CONFIG", "SET", "notify-keyspace-events", "Ee"));
            sub.call("PSUBSCRIBE", "__keyevent@0__:evicted");
            assertEquals("OK", c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random", "maxmemory", "2mb"));
            String value = "v".repeat(1000);
            List<String> written = new ArrayList<>(List.of("k", "l"));
            for (int i = 0; i < 10_000; i++) { // 10 MB into 2: keys of both shards are evicted
                written.add("e" + i);
                c.call("SET", "e" + i, value);
            }
            long evicted = 0;
            for (String line : ((String) c.call("INFO", "stats")).split("\r\n")) {
                if (line.startsWith("evicted_keys:")) {
                    evicted = Long.parseLong(line.substring("evicted_keys:".length()));
                }
            }
            assertTrue(evicted > 1000, "evicted " + evicted);
            for (long i = 0; i < evicted; i++) {
                List<?> message = (List<?>) sub.read();
                assertEquals("__keyevent@0__:evicted", message.get(2));
                assertTrue(written.contains((String) message.get(3)), message.toString());
            }
        }
    }
}
