package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * maxmemory: each shard keeps its keys within its share, by the policy, and refuses writes that may
 * add memory with Redis's OOM error when it cannot; reads and deletes go on; a write flood against a
 * small heap gets errors, never an OutOfMemoryError.
 */
class KvMemoryTest {
    private static final String VALUE = "v".repeat(1000);

    private static KvSettings withMemory(long maxMemory, KvSettings.EvictionPolicy policy) {
        KvSettings s = KvTestServer.settings(null, KvSettings.FsyncPolicy.NO);
        return new KvSettings(s.appendOnly(), s.fsync(), s.dir(), s.rewriteMinBytes(), s.rewriteGrowthPercent(),
                s.aofMaxQueuedBytes(), s.input(), s.output(), s.maxConnections(), s.idleTimeout(), s.password(),
                s.protectedMode(), s.aofLoadTruncated(), s.aofLoadCorruptTail(), s.aofLoadMissing(),
                new KvSettings.MemoryLimits(maxMemory, policy, 5), s.pubsubOutput());
    }

    private static long info(RespClient c, String field) throws IOException {
        String text = (String) c.call("INFO", "all");
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError(field + " not in INFO:\n" + text);
    }

    @Test
    void noevictionRefusesWritesThatAddMemoryAndServesReadsAndDeletes() throws Exception {
        long max = 1 << 20;
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, withMemory(max, KvSettings.EvictionPolicy.NOEVICTION));
             RespClient c = server.client()) {
            int stored = 0;
            Object reply = null;
            for (int i = 0; i < 5_000; i++) {
                reply = c.call("SET", "k" + i, VALUE);
                if (!"OK".equals(reply)) {
                    break;
                }
                stored++;
            }
            assertEquals(new RespClient.Error(Eviction.OOM), reply, "after " + stored + " keys");
            assertTrue(stored > 300 && stored < 1_200, stored + " keys of 1000 bytes fit in 1 MiB of estimated memory");
            long used = info(c, "used_memory");
            assertTrue(used <= max + 2 * 1_200, "used_memory " + used + " against maxmemory " + max);
            assertEquals(max, info(c, "maxmemory"));
            assertEquals(List.of("maxmemory", Long.toString(max), "maxmemory-policy", "noeviction", "maxmemory-samples", "5",
                    "maxmemory-eviction-tenacity", "10", "maxmemory-clients", "0"), c.call("CONFIG", "GET", "maxmemory*"));
            assertEquals(VALUE, c.call("GET", "k0"), "reads go on");
            assertEquals(0L, info(c, "evicted_keys"));
            for (int i = 0; i < stored; i++) {
                c.send("DEL", "k" + i);
            }
            for (int i = 0; i < stored; i++) {
                assertEquals(1L, c.read(), "deletes go on");
            }
            assertEquals(0L, info(c, "used_memory"), "what DEL removes is no longer counted");
            assertEquals("OK", c.call("SET", "again", VALUE), "writes are taken again once there is room");
        }
    }

    @Test
    void configSetChangesTheLimitAndThePolicyAtRunTime() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, withMemory(0, KvSettings.EvictionPolicy.NOEVICTION));
             RespClient c = server.client()) {
            for (int i = 0; i < 500; i++) {
                assertEquals("OK", c.call("SET", "k" + i, VALUE), "no limit");
            }
            assertEquals("OK", c.call("CONFIG", "SET", "maxmemory", "200kb"));
            assertEquals(List.of("maxmemory", "204800"), c.call("CONFIG", "GET", "maxmemory"));
            assertEquals(new RespClient.Error(Eviction.OOM), c.call("SET", "more", VALUE), "over the new limit, noeviction");
            assertEquals("OK", c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "maxmemory-samples", "10"));
            assertEquals("OK", c.call("SET", "more", VALUE), "evicts now");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // each shard evicts a slice per loop iteration
            while (info(c, "used_memory") > 204_800 + 2 * 1_200) {
                assertTrue(System.nanoTime() < deadline, "never within the new limit: " + info(c, "used_memory"));
                Thread.sleep(5);
            }
            assertEquals("allkeys-lru", ((String) c.call("INFO", "memory")).replaceAll("(?s).*maxmemory_policy:(\\S+).*", "$1"));
            Object lfu = c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
            assertTrue(lfu instanceof RespClient.Error e && e.text().contains("LRU and LFU"), String.valueOf(lfu));
            assertTrue(c.call("CONFIG", "SET", "maxmemory", "lots") instanceof RespClient.Error);
            assertEquals("OK", c.call("CONFIG", "SET", "maxmemory", "0"));
            for (int i = 0; i < 300; i++) {
                assertEquals("OK", c.call("SET", "again" + i, VALUE), "no limit again");
            }
        }
    }

    @Test
    void allkeysLruKeepsTheKeysInUseAndEvictsTheOthers() throws Exception {
        long max = 1 << 20;
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, withMemory(max, KvSettings.EvictionPolicy.ALLKEYS_LRU));
             RespClient c = server.client()) {
            for (int i = 0; i < 100; i++) {
                assertEquals("OK", c.call("SET", "hot" + i, VALUE));
            }
            for (int i = 0; i < 3_000; i++) {
                assertEquals("OK", c.call("SET", "cold" + i, VALUE), "every write is taken: something is evicted");
                if (i % 50 == 0) {
                    Thread.sleep(2); // the clock the LRU reads is in milliseconds
                    for (int h = 0; h < 100; h++) {
                        c.send("GET", "hot" + h);
                    }
                    for (int h = 0; h < 100; h++) {
                        c.read();
                    }
                }
            }
            assertTrue(info(c, "used_memory") <= max + 1_200);
            assertTrue(info(c, "evicted_keys") > 1_500, "evicted " + info(c, "evicted_keys"));
            int hot = 0;
            for (int h = 0; h < 100; h++) {
                hot += ((Long) c.call("EXISTS", "hot" + h)).intValue();
            }
            int cold = 0;
            for (int i = 0; i < 2_000; i++) {
                cold += ((Long) c.call("EXISTS", "cold" + i)).intValue();
            }
            assertTrue(hot >= 90, hot + " of the 100 keys read all along survived");
            assertTrue(cold < 300, cold + " of the first 2000 keys written once and never read survived");
        }
    }

    @Test
    void allkeysLfuCountsAccessesAndKeepsTheFrequentKeys() throws Exception {
        long max = 1 << 20;
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, withMemory(max, KvSettings.EvictionPolicy.ALLKEYS_LFU));
             RespClient c = server.client()) {
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", c.call("SET", "hot" + i, VALUE));
            }
            assertEquals(5L, c.call("OBJECT", "FREQ", "hot0"), "a new key starts at Redis's LFU_INIT_VAL");
            for (int round = 0; round < 100; round++) {
                for (int h = 0; h < 50; h++) {
                    c.send("GET", "hot" + h);
                }
                for (int h = 0; h < 50; h++) {
                    c.read();
                }
            }
            long freq = (Long) c.call("OBJECT", "FREQ", "hot0");
            assertTrue(freq > 5 && freq < 40, "100 reads grow the logarithmic counter a little: " + freq);
            assertInstanceOf(RespClient.Error.class, c.call("OBJECT", "IDLETIME", "hot0"), "no LRU time under LFU");
            for (int i = 0; i < 3_000; i++) {
                assertEquals("OK", c.call("SET", "cold" + i, VALUE));
            }
            int hot = 0;
            for (int h = 0; h < 50; h++) {
                hot += ((Long) c.call("EXISTS", "hot" + h)).intValue();
            }
            assertTrue(hot >= 45, hot + " of the 50 frequently read keys survived");
            assertTrue(info(c, "used_memory") <= max + 1_200);
        }
    }

    @Test
    void volatileTtlEvictsTheNearestExpiryAndNeverAKeyWithout() throws Exception {
        long max = 1 << 20;
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, withMemory(max, KvSettings.EvictionPolicy.VOLATILE_TTL));
             RespClient c = server.client()) {
            for (int i = 0; i < 300; i++) {
                assertEquals("OK", c.call("SET", "keep" + i, VALUE));
            }
            // Each key written expires sooner than the ones before it: age and expiry disagree, so that
            // the survivors tell the policy (the random or LRU choice would keep the latest written).
            for (int i = 0; i < 2_000; i++) {
                assertEquals("OK", c.call("SET", "ttl" + i, VALUE, "EX", Integer.toString(100_000 - i)));
            }
            for (int i = 0; i < 300; i++) {
                assertEquals(1L, c.call("EXISTS", "keep" + i), "a key without an expiry is never a volatile-* candidate");
            }
            int latestExpiries = 0;
            for (int i = 0; i < 500; i++) {
                latestExpiries += ((Long) c.call("EXISTS", "ttl" + i)).intValue();
            }
            int nearestExpiries = 0;
            for (int i = 1_500; i < 2_000; i++) {
                nearestExpiries += ((Long) c.call("EXISTS", "ttl" + i)).intValue();
            }
            assertTrue(latestExpiries > nearestExpiries + 50, latestExpiries + " of the 500 latest expiries survived against "
                    + nearestExpiries + " of the 500 nearest");
            Object reply = null;
            for (int i = 0; i < 2_000 && !(reply instanceof RespClient.Error); i++) {
                reply = c.call("SET", "more" + i, VALUE); // no expiry: in the end no key with one is left to evict
            }
            assertEquals(new RespClient.Error(Eviction.OOM), reply);
            String keyspace = (String) c.call("INFO", "keyspace");
            assertTrue(keyspace.contains(",expires=0,"), "every key with an expiry went first: " + keyspace);
            assertEquals(1L, c.call("EXISTS", "keep0"));
        }
    }

    @Test
    void aWriteFloodAgainstASmallHeapGetsErrorsNotAnOutOfMemoryError() throws Exception {
        KvCrashTest.Child child = KvCrashTest.startKv(List.of("-Xmx96m", "-Dkv.appendonly=no"), List.of("--shards", "2"));
        Process process = child.process();
        List<String> output = child.output();
        try {
            int port = child.port();
            String big = "x".repeat(64 * 1024);
            int refused = 0;
            int stored = 0;
            try (RespClient c = new RespClient(port)) {
                // 4000 values of 64 KiB: 256 MiB offered to a 96 MiB heap, 16 at a time.
                for (int i = 0; i < 4_000; i += 16) {
                    for (int k = 0; k < 16; k++) {
                        c.send("SET", "big" + (i + k), big);
                    }
                    for (int k = 0; k < 16; k++) {
                        Object reply = c.read();
                        if ("OK".equals(reply)) {
                            stored++;
                        } else {
                            assertEquals(new RespClient.Error(Eviction.OOM), reply);
                            refused++;
                        }
                    }
                }
                assertTrue(refused > 1_000, "refused " + refused + ", stored " + stored);
                assertEquals(big, c.call("GET", "big0"), "reads are served");
                assertEquals("PONG", c.call("PING"));
                long used = info(c, "used_memory");
                long heap = info(c, "jvm_heap_max");
                assertTrue(used <= heap * KvSettings.AUTO_MAXMEMORY_SHARE + 2 * 70_000, used + " of a heap of " + heap);
            }
            assertTrue(process.isAlive(), () -> "the server died:\n" + String.join("\n", output));
            assertTrue(output.stream().noneMatch(l -> l.contains("OutOfMemoryError")), () -> String.join("\n", output));
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
