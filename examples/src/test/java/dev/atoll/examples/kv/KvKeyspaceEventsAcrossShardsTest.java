package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keyspace notifications of commands whose keys two shards own (cross-shard rounds, blocked clients
 * served by a push): each key's events are redis-server 7.0.15's for the same command (recorded with
 * {@code notify-keyspace-events KEA} and {@code PSUBSCRIBE __key*__:*}), in Redis's order for that
 * key; each owner sends its own key's events, so the order between keys of different shards is not
 * Redis's and is not checked. Nothing else is sent (a command that changed nothing, FLUSHALL).
 */
class KvKeyspaceEventsAcrossShardsTest extends KvOneAndTwoShards {

    /** A key named {@code base} and a number, owned by shard {@code shard} of 2. */
    private static String on(String base, int shard) {
        for (int i = 0; ; i++) {
            byte[] key = (base + i).getBytes(StandardCharsets.UTF_8);
            if (KeySlots.owner(key, 0, key.length, 2) == shard) {
                return base + i;
            }
        }
    }

    @Test
    void eachKeyGetsTheEventsRedisSendsForItFromItsShard() throws Exception {
        String a = on("a", 0), b = on("b", 1), s1 = on("s", 0), s2 = on("s", 1);
        String x = on("x", 0), y = on("y", 1), d = on("d", 1);
        String zx = on("zx", 1), zy = on("zy", 0), zd = on("zd", 0), zr = on("zr", 1), z = on("z", 1), none = on("none", 0);
        String l = on("l", 0), sl = on("sl", 1), k1 = on("k", 0), k2 = on("k", 1), bd = on("bd", 0);
        String h = on("h", 0), h2 = on("h", 1), h3 = on("hm", 1), m1 = on("m", 0), m2 = on("m", 1);
        String r1 = on("r", 0), r2 = on("r", 1), r3 = on("rc", 0), g = on("g", 0), gs = on("gs", 1), c = on("c", 1);
        String e = on("e", 1);
        Object[][] script = {
            {List.of("RPUSH", a, "1", "2"), List.of(a + " rpush")},
            {List.of("LMOVE", a, b, "LEFT", "RIGHT"), List.of(b + " rpush", a + " lpop")},
            {List.of("RPOPLPUSH", a, b), List.of(b + " lpush", a + " rpop", a + " del")},
            {List.of("RPOPLPUSH", a, b), List.of()},
            {List.of("SADD", s1, "a", "b"), List.of(s1 + " sadd")},
            {List.of("SMOVE", s1, s2, "a"), List.of(s1 + " srem", s2 + " sadd")},
            {List.of("SADD", s2, "b"), List.of(s2 + " sadd")},
            {List.of("SMOVE", s1, s2, "b"), List.of(s1 + " srem", s1 + " del")}, // already in s2: no sadd
            {List.of("SMOVE", s1, s2, "zz"), List.of()},
            {List.of("SADD", x, "1", "2"), List.of(x + " sadd")},
            {List.of("SADD", y, "2", "3"), List.of(y + " sadd")},
            {List.of("SINTERSTORE", d, x, y), List.of(d + " sinterstore")},
            {List.of("SUNIONSTORE", d, x, y), List.of(d + " sunionstore")},
            {List.of("SDIFFSTORE", d, x, y), List.of(d + " sdiffstore")},
            {List.of("SINTERSTORE", d, x, none), List.of(d + " del")},
            {List.of("SINTERSTORE", d, x, none), List.of()},
            {List.of("ZADD", zx, "1", "a", "2", "b"), List.of(zx + " zadd")},
            {List.of("ZADD", zy, "1", "b"), List.of(zy + " zadd")},
            {List.of("ZUNIONSTORE", zd, "2", zx, zy), List.of(zd + " zunionstore")},
            {List.of("ZINTERSTORE", zd, "2", zx, zy), List.of(zd + " zinterstore")},
            {List.of("ZDIFFSTORE", zd, "2", zx, zy), List.of(zd + " zdiffstore")},
            {List.of("ZINTERSTORE", zd, "2", zx, none), List.of(zd + " del")},
            {List.of("ZRANGESTORE", zr, zy, "0", "-1"), List.of(zr + " zrangestore")},
            {List.of("ZRANGESTORE", zr, zy, "5", "6"), List.of(zr + " del")},
            {List.of("ZADD", z, "1", "a", "2", "b"), List.of(z + " zadd")},
            {List.of("ZMPOP", "2", none, z, "MIN"), List.of(z + " zpopmin")},
            {List.of("ZMPOP", "2", none, z, "MAX", "COUNT", "5"), List.of(z + " zpopmax", z + " del")},
            {List.of("RPUSH", l, "3", "1", "2"), List.of(l + " rpush")},
            {List.of("SORT", l, "STORE", sl), List.of(sl + " sortstore")},
            {List.of("SORT", none, "STORE", sl), List.of(sl + " del")},
            {List.of("SET", k1, "abc"), List.of(k1 + " set")},
            {List.of("SET", k2, "abd"), List.of(k2 + " set")},
            {List.of("BITOP", "AND", bd, k1, k2), List.of(bd + " set")},
            {List.of("BITOP", "AND", bd, none, k2 + "nokey"), List.of(bd + " del")},
            {List.of("PFADD", h, "a", "b"), List.of(h + " pfadd")},
            {List.of("PFADD", h2, "c"), List.of(h2 + " pfadd")},
            {List.of("PFMERGE", h3, h, h2), List.of(h3 + " pfadd")},
            {List.of("PFMERGE", h3, h, h2), List.of(h3 + " pfadd")},
            {List.of("MSETNX", m1, "1", m2, "2"), List.of(m1 + " set", m2 + " set")},
            {List.of("MSETNX", m1, "1", m2, "3"), List.of()},
            {List.of("SET", r1, "v"), List.of(r1 + " set")},
            {List.of("RENAME", r1, r2), List.of(r1 + " rename_from", r2 + " rename_to")},
            {List.of("COPY", r2, r3), List.of(r3 + " copy_to")},
            {List.of("COPY", r2, r3), List.of()},
            {List.of("GEOADD", g, "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"), List.of(g + " zadd")},
            {List.of("GEOSEARCHSTORE", gs, g, "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"), List.of(gs + " geosearchstore")},
            {List.of("GEOSEARCHSTORE", gs, g, "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"), List.of(gs + " del")},
            {List.of("GEORADIUS", g, "15", "37", "200", "km", "STORE", gs), List.of(gs + " georadiusstore")},
            {List.of("RPUSH", c, "1", "2", "3"), List.of(c + " rpush")},
            {List.of("LMPOP", "2", none, c, "LEFT", "COUNT", "2"), List.of(c + " lpop")},
            {List.of("BLMPOP", "0", "2", none, c, "RIGHT", "COUNT", "5"), List.of(c + " rpop", c + " del")},
            {List.of("SET", e, "v"), List.of(e + " set")},
        };
        try (RespClient cl = server(2).client(); RespClient sub = server(2).client()) {
            KvKeyspaceEventsTest.withEvents(cl, sub, "KEA", () -> {
                KvKeyspaceEventsTest.run(cl, sub, script, KvKeyspaceEventsAcrossShardsTest::byKey);
                // In a transaction: EXPIRE of another shard's key, and the pops that run as their non-blocking form.
                assertEquals(2L, cl.call("RPUSH", a, "p", "q"));
                assertEquals(List.of(a + " rpush"), read(sub, 1));
                cl.call("MULTI");
                cl.call("EXPIRE", e, "100");
                cl.call("BLMOVE", a, b, "RIGHT", "LEFT", "0");
                cl.call("LMOVE", a, b, "RIGHT", "LEFT");
                cl.call("BLPOP", b, "0");
                cl.call("EXEC");
                assertEquals(byKey(List.of(e + " expire", b + " lpush", a + " rpop", b + " lpush", a + " rpop", a + " del",
                        b + " lpop")), byKey(read(sub, 7)));
                // FLUSHALL deletes keys without events, as in Redis.
                assertEquals("OK", cl.call("FLUSHALL"));
                KvKeyspaceEventsTest.nothingMore(cl, sub);
            });
        }
    }

    /**
     * Key misses of reads whose keys two shards own: each owner sends its absent keys' {@code keymiss} (MGET,
     * EXISTS: their parts run on each owner), XREAD its two passes' from the reader's shard, as redis-server
     * 7.0.15 sends them with {@code KEm} (compared per key).
     */
    @Test
    void keyMissesOfKeysOnTwoShards() throws Exception {
        String a = on("a", 0), b = on("b", 1), s = on("s", 1);
        Object[][] script = {
            {List.of("XADD", s, "1-1", "f", "v"), List.of()},
            {List.of("MGET", a, b, s), List.of(a + " keymiss", b + " keymiss")},
            {List.of("EXISTS", b, a, b), List.of(b + " keymiss", a + " keymiss", b + " keymiss")},
            {List.of("XREAD", "STREAMS", a, s, b, "0", "0", "0"), List.of(a + " keymiss", b + " keymiss", a + " keymiss", b + " keymiss")},
            {List.of("XREAD", "STREAMS", a, b, "0", "x"), List.of(a + " keymiss", b + " keymiss")},
        };
        try (RespClient cl = server(2).client(); RespClient sub = server(2).client()) {
            KvKeyspaceEventsTest.withEvents(cl, sub, "KEm", () -> {
                KvKeyspaceEventsTest.run(cl, sub, script, KvKeyspaceEventsAcrossShardsTest::byKey);
                assertEquals("OK", cl.call("CONFIG", "SET", "notify-keyspace-events", "KEA"));
                KvKeyspaceEventsTest.nothingMore(cl, sub);
            });
        }
    }

    /**
     * Blocked pops served later by a push, with the key on either shard (so the blocked connection, the
     * pushing one and the key's owner are not all one shard): the push's event, then the pop's, as in Redis.
     */
    @Test
    void blockedPopsServedByAPushSendTheirEventsAfterThePush() throws Exception {
        try (RespClient cl = server(2).client(); RespClient blocked = server(2).client(); RespClient sub = server(2).client()) {
            KvKeyspaceEventsTest.withEvents(cl, sub, "KEA", () -> {
                for (int shard = 0; shard < 2; shard++) {
                    String q = on("q", shard), dst = on("dst", 1 - shard), zq = on("zq", shard);
                    served(cl, blocked, sub, List.of("BLPOP", q, "0"), List.of("RPUSH", q, "1", "2"),
                            List.of(q + " rpush", q + " lpop"));
                    served(cl, blocked, sub, List.of("BRPOP", q, "0"), null, List.of(q + " rpop", q + " del")); // at once
                    served(cl, blocked, sub, List.of("BLMOVE", q, dst, "LEFT", "RIGHT", "0"), List.of("RPUSH", q, "3"),
                            List.of(q + " rpush", dst + " rpush", q + " lpop", q + " del"));
                    served(cl, blocked, sub, List.of("BRPOPLPUSH", q, dst, "0"), List.of("LPUSH", q, "y"),
                            List.of(q + " lpush", dst + " lpush", q + " rpop", q + " del"));
                    served(cl, blocked, sub, List.of("BLMPOP", "0", "1", q, "LEFT", "COUNT", "5"), List.of("RPUSH", q, "a", "b"),
                            List.of(q + " rpush", q + " lpop", q + " del"));
                    served(cl, blocked, sub, List.of("BZPOPMIN", zq, "0"), List.of("ZADD", zq, "1", "a", "2", "b"),
                            List.of(zq + " zadd", zq + " zpopmin"));
                    served(cl, blocked, sub, List.of("BZPOPMAX", zq, "0"), null, List.of(zq + " zpopmax", zq + " del"));
                    served(cl, blocked, sub, List.of("BZMPOP", "0", "1", zq, "MIN", "COUNT", "3"), List.of("ZADD", zq, "1", "a", "2", "b"),
                            List.of(zq + " zadd", zq + " zpopmin", zq + " del"));
                    assertEquals(1L, cl.call("DEL", dst));
                    assertEquals(List.of(dst + " del"), read(sub, 1));
                }
                KvKeyspaceEventsTest.nothingMore(cl, sub);
            });
        }
    }

    /**
     * {@code blocking} from {@code blocked}, then (when not null) {@code push} from {@code cl} once it
     * waits; its reply comes, and then {@code events}: each key's in order.
     */
    private static void served(RespClient cl, RespClient blocked, RespClient sub, List<String> blocking, List<String> push,
                               List<String> events) throws Exception {
        blocked.send(blocking.toArray(String[]::new));
        if (push != null) {
            while (!((String) cl.call("INFO", "clients")).contains("blocked_clients:1")) {
                Thread.onSpinWait();
            }
            cl.call(push.toArray(String[]::new));
        }
        blocked.read();
        assertEquals(byKey(events), byKey(read(sub, events.size())), String.join(" ", blocking));
    }

    /** Events grouped by key, each key's in order. */
    private static Map<String, List<String>> byKey(List<String> events) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (String event : events) {
            String[] keyAndName = event.split(" ");
            byKey.computeIfAbsent(keyAndName[0], k -> new ArrayList<>()).add(keyAndName[1]);
        }
        return new java.util.TreeMap<>(byKey);
    }

    private static List<String> read(RespClient sub, int n) throws Exception {
        return KvKeyspaceEventsTest.read(sub, n);
    }
}
