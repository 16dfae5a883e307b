package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client-side caching (CLIENT TRACKING) on 1 and 2 shards: a tracking client's connection on one shard
 * caches keys of both shards, written by connections of either shard; RESP3 pushes and RESP2 messages
 * through a REDIRECT; one-shot invalidation; NOLOOP, OPTIN, OPTOUT, BCAST with prefixes; FLUSHALL's
 * null; expiry; the tracking table's bound; and no entry left behind by a closed client or TRACKING OFF.
 * The replies and error texts are redis-server 7.0.15's (recorded on it; {@link #sameAsRedis} replays
 * the script there when it is installed). "No invalidation" is checked with a sentinel: a key of the
 * same shard written after it, whose invalidation must be the next one (one shard's messages to another
 * keep their order).
 */
class KvTrackingTest extends KvOneAndTwoShards {

    /** A key named {@code base} and a number, owned by shard {@code shard} of {@code shards}. */
    static String on(String base, int shard, int shards) {
        for (int i = 0; ; i++) {
            byte[] key = (base + i).getBytes(StandardCharsets.UTF_8);
            if (KeySlots.owner(key, 0, key.length, shards) == shard) {
                return base + i;
            }
        }
    }

    private static long[] connectionsPerShard(RespClient admin) throws Exception {
        return Arrays.stream(((String) admin.call("INFO", "shards")).split("\r\n"))
                .filter(line -> line.startsWith("shard"))
                .mapToLong(line -> Long.parseLong(line.replaceAll(".*,connections=(\\d+).*", "$1")))
                .toArray();
    }

    /** Connections, one on each shard (in shard order), found by INFO shards' counts; the others opened meanwhile are closed. */
    static RespClient[] onEachShard(KvTestServer kv, int shards) throws Exception {
        RespClient[] on = new RespClient[shards];
        List<RespClient> others = new ArrayList<>();
        try (RespClient admin = kv.client()) {
            for (int tries = 0; Arrays.stream(on).anyMatch(c -> c == null); tries++) {
                assertTrue(tries < 200, "connections never reached every shard");
                long[] before = connectionsPerShard(admin);
                RespClient c = kv.client();
                assertEquals("PONG", c.call("PING"));
                long[] after = connectionsPerShard(admin);
                int landed = -1;
                for (int s = 0; s < shards; s++) {
                    if (after[s] == before[s] + 1) {
                        landed = landed == -1 ? s : -2;
                    }
                }
                if (landed >= 0 && on[landed] == null) {
                    on[landed] = c;
                } else {
                    others.add(c);
                }
            }
        }
        for (RespClient c : others) {
            c.close();
        }
        return on;
    }

    private static Object invalidate(String... keys) {
        return new RespClient.Push(List.of("invalidate", List.of(keys)));
    }

    private static long id(RespClient c) throws Exception {
        return (Long) c.call("CLIENT", "ID");
    }

    private static long info(RespClient c, String section, String field) throws Exception {
        return field((String) c.call("INFO", section), field);
    }

    private static long field(String info, String field) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError(field + " not in INFO");
    }

    /** INFO's {@code field} reaches {@code expected} (the forgetting crosses the mesh): polled, at most 10 s. */
    private static void eventually(RespClient c, String section, String field, long expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long now;
        while ((now = info(c, section, field)) != expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(expected, now, field);
    }

    private static RespClient tracking(KvTestServer kv, RespClient on, String... options) throws Exception {
        RespClient c = on != null ? on : kv.client();
        assertInstanceOf(Map.class, c.call("HELLO", "3"));
        List<String> args = new ArrayList<>(List.of("CLIENT", "TRACKING", "on"));
        args.addAll(List.of(options));
        assertEquals("OK", c.call(args.toArray(String[]::new)));
        return c;
    }

    // ---- default mode ----

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aReadKeyIsInvalidatedOnceWhoeverWritesItOnWhicheverShard(int shards) throws Exception {
        KvTestServer kv = server(shards);
        RespClient[] writers = onEachShard(kv, shards);
        RespClient[] cachers = onEachShard(kv, shards);
        try {
            for (int home = 0; home < shards; home++) {
                RespClient c = tracking(kv, cachers[home]);
                for (int owner = 0; owner < shards; owner++) {
                    String key = on("dflt" + home, owner, shards);
                    String sentinel = on("sent" + home, owner, shards);
                    for (RespClient w : writers) {
                        assertEquals(RespClient.RESP3_NULL, c.call("GET", key));
                        assertEquals("OK", w.call("SET", key, "v"));
                        assertEquals(invalidate(key), c.read(), "cacher on shard " + home + ", key on " + owner);
                        // one-shot: the next write of the key sends nothing until it is read again
                        c.call("GET", sentinel);
                        assertEquals("OK", w.call("SET", key, "again"));
                        assertEquals("OK", w.call("SET", sentinel, "s"));
                        assertEquals(invalidate(sentinel), c.read(), "a second invalidation of " + key);
                        assertEquals(1L, w.call("DEL", key));
                        assertEquals(1L, w.call("DEL", sentinel));
                    }
                    // its own write: the reply, then the invalidation (Redis 7.0.15 orders them so)
                    c.call("GET", key);
                    assertEquals("OK", c.call("SET", key, "mine"));
                    assertEquals(invalidate(key), c.read());
                    c.call("DEL", key);
                }
            }
        } finally {
            for (RespClient c : writers) {
                c.close();
            }
            for (RespClient c : cachers) {
                c.close();
            }
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void multiGetAcrossShardsAndTransactionsTrackTheirKeys(int shards) throws Exception {
        KvTestServer kv = server(shards);
        String a = on("mga", 0, shards), b = on("mgb", shards - 1, shards);
        try (RespClient c = tracking(kv, null); RespClient w = kv.client()) {
            assertEquals(Arrays.asList(RespClient.RESP3_NULL, RespClient.RESP3_NULL), c.call("MGET", a, b));
            w.call("SET", a, "1");
            assertEquals(invalidate(a), c.read());
            w.call("SET", b, "1");
            assertEquals(invalidate(b), c.read());
            c.call("MULTI");
            c.call("GET", a);
            c.call("HGET", b, "f");
            assertEquals(2, ((List<?>) c.call("EXEC")).size());
            w.call("DEL", a, b);
            Set<Object> got = new HashSet<>(List.of(c.read(), c.read()));
            assertEquals(Set.of(invalidate(a), invalidate(b)), got);
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void noLoopSendsNoInvalidationOfTheClientsOwnWrites(int shards) throws Exception {
        KvTestServer kv = server(shards);
        String k = on("nl", shards - 1, shards), sentinel = on("nls", shards - 1, shards);
        try (RespClient c = tracking(kv, null, "NOLOOP"); RespClient w = kv.client()) {
            c.call("GET", k);
            c.call("GET", sentinel);
            assertEquals("OK", c.call("SET", k, "mine"));
            w.call("SET", sentinel, "1");
            assertEquals(invalidate(sentinel), c.read());
            w.call("SET", k, "theirs"); // forgotten by its own write, as Redis does
            c.call("GET", sentinel);
            w.call("SET", sentinel, "2");
            assertEquals(invalidate(sentinel), c.read());
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void optInTracksAfterCachingYesAndOptOutNotAfterCachingNo(int shards) throws Exception {
        KvTestServer kv = server(shards);
        String p = on("op", shards - 1, shards), q = on("oq", shards - 1, shards);
        try (RespClient in = tracking(kv, null, "OPTIN"); RespClient out = tracking(kv, null, "OPTOUT");
             RespClient w = kv.client()) {
            in.call("GET", p);
            assertEquals("OK", in.call("CLIENT", "CACHING", "yes"));
            in.call("GET", q);
            out.call("GET", p);
            assertEquals("OK", out.call("CLIENT", "CACHING", "no"));
            out.call("GET", q);
            w.call("SET", p, "1");
            w.call("SET", q, "1");
            assertEquals(invalidate(q), in.read());
            assertEquals(invalidate(p), out.read());
            // CACHING yes lasts one command: a PING in between ends it; before MULTI it covers the transaction
            in.call("CLIENT", "CACHING", "yes");
            in.call("PING");
            in.call("GET", p);
            in.call("CLIENT", "CACHING", "yes");
            in.call("MULTI");
            in.call("GET", q);
            in.call("EXEC");
            w.call("SET", p, "2");
            w.call("SET", q, "2");
            assertEquals(invalidate(q), in.read());
        }
    }

    // ---- RESP2 through a redirect, a redirect that breaks ----

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aRedirectCarriesInvalidationsToASubscribedResp2Connection(int shards) throws Exception {
        KvTestServer kv = server(shards);
        String k = on("rd", 0, shards);
        RespClient[] placed = onEachShard(kv, shards);
        try (RespClient target = shards == 1 ? kv.client() : placed[1]; RespClient c = placed[0]; RespClient w = kv.client()) {
            long targetId = id(target); // on the other shard than the client's, with 2
            assertEquals(List.of("subscribe", "__redis__:invalidate", 1L), target.call("SUBSCRIBE", "__redis__:invalidate"));
            assertEquals("OK", c.call("CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(targetId)));
            assertEquals(targetId, c.call("CLIENT", "GETREDIR"));
            assertEquals(List.of("flags", List.of("on"), "redirect", targetId, "prefixes", List.of()),
                    c.call("CLIENT", "TRACKINGINFO"));
            assertEquals(null, c.call("GET", k));
            w.call("SET", k, "1");
            assertEquals(List.of("message", "__redis__:invalidate", List.of(k)), target.read());
            w.call("FLUSHALL");
            assertEquals(Arrays.asList("message", "__redis__:invalidate", null), target.read());
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aClosedRedirectTargetIsReportedToAResp3Client(int shards) throws Exception {
        KvTestServer kv = server(shards);
        String k = on("rb", shards - 1, shards);
        RespClient[] placed = onEachShard(kv, shards);
        try (RespClient c = placed[0]; RespClient w = kv.client()) {
            long targetId;
            try (RespClient target = shards == 1 ? kv.client() : placed[1]) {
                targetId = id(target);
                tracking(kv, c, "REDIRECT", Long.toString(targetId));
            }
            eventually(w, "clients", "connected_clients", 2);
            c.call("GET", k);
            w.call("SET", k, "1");
            assertEquals(new RespClient.Push(List.of("tracking-redir-broken", targetId)), c.read());
            Map<Object, Object> info = new LinkedHashMap<>();
            info.put("flags", new RespClient.RespSet(List.of("on", "broken_redirect")));
            info.put("redirect", targetId);
            info.put("prefixes", List.of());
            assertEquals(info, c.call("CLIENT", "TRACKINGINFO"));
        }
    }

    // ---- BCAST ----

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void broadcastSendsTheWrittenKeysOfEachPrefix(int shards) throws Exception {
        KvTestServer kv = server(shards);
        try (RespClient b = tracking(kv, null, "BCAST", "PREFIX", "a:", "PREFIX", "b:"); RespClient w = kv.client()) {
            assertEquals("OK", w.call("MSET", "a:1", "1", "a:2", "2", "b:1", "1", "c:1", "1"));
            Set<String> keys = new HashSet<>();
            while (keys.size() < 3) {
                RespClient.Push push = assertInstanceOf(RespClient.Push.class, b.read());
                assertEquals("invalidate", push.items().get(0));
                for (Object key : (List<?>) push.items().get(1)) {
                    assertTrue(keys.add((String) key), "twice: " + key);
                }
            }
            assertEquals(Set.of("a:1", "a:2", "b:1"), keys);
            if (shards == 1) { // one push per prefix, as Redis sends them
                w.call("MSET", "a:1", "1", "a:2", "2", "b:1", "1", "c:1", "1");
                assertEquals(invalidate("a:1", "a:2"), b.read());
                assertEquals(invalidate("b:1"), b.read());
            }
            assertEquals("OK", b.call("SET", "a:3", "mine"));
            assertEquals(invalidate("a:3"), b.read());
        }
        try (RespClient b = tracking(kv, null, "BCAST", "NOLOOP"); RespClient w = kv.client()) {
            String k = on("z", shards - 1, shards);
            b.call("SET", k, "mine");
            w.call("SET", k, "theirs");
            assertEquals(invalidate(k), b.read()); // not its own write before it
        }
    }

    // ---- FLUSHALL, expiry, the table's bound, the end of a client ----

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void flushAllSendsOneNullToEveryTrackingClient(int shards) throws Exception {
        KvTestServer kv = server(shards);
        try (RespClient c = tracking(kv, null); RespClient b = tracking(kv, null, "BCAST", "PREFIX", "nothing:");
             RespClient w = kv.client()) {
            c.call("GET", "fa");
            assertEquals("OK", w.call("FLUSHALL"));
            Object flushed = new RespClient.Push(Arrays.asList("invalidate", RespClient.RESP3_NULL));
            assertEquals(flushed, c.read());
            assertEquals(flushed, b.read());
            w.call("SET", "fa", "1"); // the table was emptied: no invalidation of fa
            assertEquals("PONG", c.call("PING"));
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void anExpiredKeyIsInvalidated(int shards) throws Exception {
        KvTestServer kv = server(shards);
        String e = on("ex", shards - 1, shards);
        try (RespClient c = tracking(kv, null); RespClient w = kv.client()) {
            assertEquals("OK", w.call("SET", e, "v", "PX", "400"));
            c.call("GET", e);
            assertEquals(invalidate(e), c.read()); // the active expiry's sampling removes it: nobody writes
        }
    }

    @Test
    void anEvictedKeyIsInvalidated() throws Exception {
        try (KvTestServer kv = KvTestServer.start(2, dev.atoll.config.DriverKind.AUTO,
                KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = tracking(kv, null); RespClient w = kv.client()) {
            int keys = 3000;
            String value = "v".repeat(1000);
            for (int i = 0; i < keys; i++) {
                w.send("SET", "ev" + i, value);
            }
            for (int i = 0; i < keys; i++) {
                assertEquals("OK", w.read());
            }
            for (int i = 0; i < keys; i++) {
                c.send("GET", "ev" + i);
            }
            for (int i = 0; i < keys; i++) {
                assertEquals(value, c.read());
            }
            assertEquals((long) keys, info(w, "stats", "tracking_total_keys"));
            // 3 MB into 1: keys of both shards are evicted, each evicted key's reader is told
            assertEquals("OK", w.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random", "maxmemory", "1mb"));
            long started = System.nanoTime();
            long evicted = 0;
            for (long before = -1; evicted != before || evicted == 0; ) { // until the eviction settled (bounded: 10 s)
                assertTrue(System.nanoTime() - started < 10_000_000_000L, "eviction never settled");
                before = evicted;
                Thread.sleep(100);
                String stats = (String) w.call("INFO", "stats");
                evicted = field(stats, "evicted_keys");
                assertEquals(keys, evicted + field(stats, "tracking_total_keys")); // each shard's table lost what it evicted
            }
            assertTrue(evicted > keys / 2, "evicted " + evicted);
            Set<Object> told = new HashSet<>();
            while (told.size() < evicted) {
                RespClient.Push push = assertInstanceOf(RespClient.Push.class, c.read());
                assertTrue(told.add(((List<?>) push.items().get(1)).get(0)), "twice: " + push);
            }
            for (Object key : told) {
                assertEquals(0L, w.call("EXISTS", (String) key), "told of " + key);
            }
        }
    }

    @Test
    void theTableKeepsAtMostTrackingTableMaxKeysAndTellsTheEvictedKeysReaders() throws Exception {
        KvTestServer kv = server(1);
        try (RespClient c = tracking(kv, null); RespClient admin = kv.client()) {
            assertEquals("OK", admin.call("CONFIG", "SET", "tracking-table-max-keys", "3"));
            try {
                assertEquals(List.of("tracking-table-max-keys", "3"), admin.call("CONFIG", "GET", "tracking-table-max-keys"));
                for (int i = 0; i < 5; i++) {
                    c.send("GET", "bound" + i);
                }
                List<Object> pushes = new ArrayList<>();
                for (int replies = 0; replies < 5 || pushes.size() < 2; ) {
                    Object o = c.read();
                    if (o instanceof RespClient.Push) {
                        pushes.add(o);
                    } else {
                        assertEquals(RespClient.RESP3_NULL, o);
                        replies++;
                    }
                }
                assertEquals(List.of(invalidate("bound0"), invalidate("bound1")), pushes);
                assertEquals(3L, info(admin, "stats", "tracking_total_keys"));
            } finally {
                admin.call("CONFIG", "SET", "tracking-table-max-keys", "1000000");
            }
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aClosedClientOrTrackingOffLeavesNothingInTheTables(int shards) throws Exception {
        KvTestServer kv = server(shards);
        try (RespClient admin = kv.client()) {
            eventually(admin, "clients", "tracking_clients", 0);
            eventually(admin, "stats", "tracking_total_items", 0);
            try (RespClient c = tracking(kv, null); RespClient b = tracking(kv, null, "BCAST", "PREFIX", "x:")) {
                for (int i = 0; i < 50; i++) {
                    c.call("GET", "leak" + i);
                }
                assertEquals(2L, info(admin, "clients", "tracking_clients"));
                assertEquals(50L, info(admin, "stats", "tracking_total_items"));
                assertEquals(1L, info(admin, "stats", "tracking_total_prefixes"));
                assertEquals("OK", c.call("CLIENT", "TRACKING", "off"));
                eventually(admin, "stats", "tracking_total_items", 0);
                admin.call("SET", "leak1", "1");
                assertEquals("PONG", c.call("PING"));
                tracking(kv, c);
                for (int i = 0; i < 50; i++) {
                    c.call("GET", "leak" + i);
                }
                assertEquals(50L, info(admin, "stats", "tracking_total_items"));
            }
            eventually(admin, "stats", "tracking_total_items", 0);
            eventually(admin, "stats", "tracking_total_keys", 0);
            eventually(admin, "stats", "tracking_total_prefixes", 0);
            eventually(admin, "clients", "tracking_clients", 0);
        }
    }

    // ---- the commands' replies and errors, as redis-server 7.0.15 answers them ----

    /** {client, command...} and the reply (or, for {client, "READ"}, the push or message) redis-server 7.0.15 gave. */
    private static final Object[][] SCRIPT = {
        {"c", List.of("HELLO", "3"), null},
        {"c", List.of("CLIENT", "TRACKING", "on", "prefix", "a"), err("ERR PREFIX option requires BCAST mode to be enabled")},
        {"c", List.of("CLIENT", "TRACKING", "on", "optin", "optout"), err("ERR You can't specify both OPTIN mode and OPTOUT mode")},
        {"c", List.of("CLIENT", "TRACKING", "on", "redirect", "0"), err("ERR The client ID you want redirect to does not exist")},
        {"c", List.of("CLIENT", "TRACKING", "on", "redirect", "99999"), err("ERR The client ID you want redirect to does not exist")},
        {"c", List.of("CLIENT", "TRACKING", "on", "redirect", "abc"), err("ERR value is not an integer or out of range")},
        {"c", List.of("CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "ab"),
            err("ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.")},
        {"c", List.of("CLIENT", "TRACKING", "maybe"), err("ERR syntax error")},
        {"c", List.of("CLIENT", "TRACKING", "on", "foo"), err("ERR syntax error")},
        {"c", List.of("CLIENT", "TRACKING"), err("ERR wrong number of arguments for 'client|tracking' command")},
        {"c", List.of("CLIENT", "TRACKING", "on", "optin", "bcast"), err("ERR OPTIN and OPTOUT are not compatible with BCAST")},
        {"c", List.of("CLIENT", "CACHING", "yes"),
            err("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")},
        {"c", List.of("CLIENT", "GETREDIR"), -1L},
        {"c", List.of("CLIENT", "TRACKINGINFO"), map("flags", set("off"), "redirect", -1L, "prefixes", List.of())},
        {"c", List.of("CLIENT", "TRACKING", "on", "optin"), "OK"},
        {"c", List.of("CLIENT", "TRACKING", "on", "optin", "redirect", "99999"),
            err("ERR The client ID you want redirect to does not exist")}, // tracking stays as it was
        {"c", List.of("CLIENT", "TRACKING", "on", "optout"), err("ERR You can't switch OPTIN/OPTOUT mode before disabling "
            + "tracking for this client, and then re-enabling it with a different mode.")},
        {"c", List.of("CLIENT", "TRACKING", "on", "bcast"), err("ERR You can't switch BCAST mode on/off before disabling "
            + "tracking for this client, and then re-enabling it with a different mode.")},
        {"c", List.of("CLIENT", "TRACKING", "on", "optin", "noloop"), "OK"},
        {"c", List.of("CLIENT", "CACHING", "maybe"), err("ERR syntax error")},
        {"c", List.of("CLIENT", "CACHING", "yes"), "OK"},
        {"c", List.of("CLIENT", "TRACKINGINFO"), map("flags", set("on", "optin", "caching-yes", "noloop"), "redirect", 0L,
            "prefixes", List.of())},
        {"c", List.of("CLIENT", "CACHING", "no"), err("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")},
        {"c", List.of("CLIENT", "GETREDIR"), 0L},
        {"c", List.of("CLIENT", "TRACKING", "off"), "OK"},
        {"c", List.of("CLIENT", "TRACKING", "on", "bcast", "prefix", "ab"), "OK"},
        {"c", List.of("CLIENT", "TRACKING", "on", "bcast", "prefix", "a"),
            err("ERR Prefix 'a' overlaps with an existing prefix 'ab'. Prefixes for a single client must not overlap.")},
        {"c", List.of("CLIENT", "TRACKING", "on", "bcast", "prefix", "abc"),
            err("ERR Prefix 'abc' overlaps with an existing prefix 'ab'. Prefixes for a single client must not overlap.")},
        {"c", List.of("CLIENT", "TRACKING", "on", "bcast", "prefix", "x"), "OK"},
        {"c", List.of("CLIENT", "TRACKINGINFO"), map("flags", set("on", "bcast"), "redirect", 0L, "prefixes", List.of("ab", "x"))},
        {"w", List.of("SET", "abz", "1"), "OK"},
        {"c", List.of("READ"), invalidate("abz")},
        {"c", List.of("CLIENT", "TRACKING", "off"), "OK"},
        {"c", List.of("CLIENT", "TRACKING", "on"), "OK"},
        {"c", List.of("SET", "k", "1"), "OK"},
        {"c", List.of("GET", "k"), "1"},
        {"c", List.of("SET", "k", "2"), "OK"},
        {"c", List.of("READ"), invalidate("k")},
        {"c", List.of("GET", "k"), "2"},
        {"w", List.of("SET", "k", "3"), "OK"},
        {"c", List.of("READ"), invalidate("k")},
        {"c", List.of("HSET", "h", "f", "1"), 1L},
        {"c", List.of("HGET", "h", "f"), "1"},
        {"w", List.of("HSET", "h", "f", "1"), 0L},      // unchanged, still signalled by HSET
        {"c", List.of("READ"), invalidate("h")},
        {"w", List.of("SADD", "x", "a"), 1L},
        {"c", List.of("SMEMBERS", "x"), set("a")},
        {"c", List.of("SMEMBERS", "d"), set()},
        {"w", List.of("SINTERSTORE", "d", "x", "x"), 1L}, // only the destination is written
        {"c", List.of("READ"), invalidate("d")},
        {"c", List.of("PING"), "PONG"},
        {"w", List.of("SADD", "x", "b"), 1L},
        {"c", List.of("READ"), invalidate("x")},
        {"c", List.of("GET", "k"), "3"},
        {"w", List.of("FLUSHALL"), "OK"},
        {"c", List.of("READ"), new RespClient.Push(Arrays.asList("invalidate", RespClient.RESP3_NULL))},
        {"w", List.of("CLIENT", "TRACKINGINFO"), List.of("flags", List.of("off"), "redirect", -1L, "prefixes", List.of())},
    };

    private static RespClient.Error err(String text) {
        return new RespClient.Error(text);
    }

    private static Map<Object, Object> map(Object... pairs) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static RespClient.RespSet set(Object... elements) {
        return new RespClient.RespSet(List.of(elements));
    }

    /** Runs {@link #SCRIPT} on clients "c" and "w" of the server at {@code port}; returns what each step received. */
    private static List<Object> run(java.util.function.Supplier<RespClient> connect) throws Exception {
        List<Object> got = new ArrayList<>();
        try (RespClient c = connect.get(); RespClient w = connect.get()) {
            for (Object[] step : SCRIPT) {
                RespClient client = step[0].equals("c") ? c : w;
                List<?> command = (List<?>) step[1];
                Object reply = command.equals(List.of("READ")) ? client.read() : client.call(command.toArray(String[]::new));
                got.add(step[2] == null ? null : reply);
            }
        }
        return got;
    }

    /** Each step's reply is the recorded one. */
    private static void assertRecorded(List<Object> got) {
        for (int i = 0; i < SCRIPT.length; i++) {
            assertEquals(SCRIPT[i][2], got.get(i), "step " + i + ": " + SCRIPT[i][0] + " " + SCRIPT[i][1]);
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void repliesAndErrorsAreRedisSOwn(int shards) throws Exception {
        KvTestServer kv = server(shards);
        assertRecorded(run(() -> {
            try {
                return kv.client();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    /** The script against a redis-server started here: the recorded replies are still its own (skipped without one). */
    @Test
    void sameAsRedis() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try {
            KvRedisComparisonTest.connect(port).close();
            assertRecorded(run(() -> {
                try {
                    return new RespClient(port);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        } finally {
            redis.destroy();
            redis.waitFor();
        }
    }

    @Test
    void infoShowsTrackingClients() throws Exception {
        KvTestServer kv = server(2);
        try (RespClient admin = kv.client()) {
            eventually(admin, "clients", "tracking_clients", 0);
            try (RespClient c = tracking(kv, null)) {
                assertEquals(1L, info(admin, "clients", "tracking_clients"));
                assertEquals("RESET", c.call("RESET"));
                assertEquals(0L, info(admin, "clients", "tracking_clients"));
            }
        }
    }
}
