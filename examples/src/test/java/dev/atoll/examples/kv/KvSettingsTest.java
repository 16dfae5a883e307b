package dev.atoll.examples.kv;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code kv { }} settings: the defaults of reference.conf, and errors that name key, value and origin. */
class KvSettingsTest {
    @Test
    void defaults() {
        KvSettings s = KvSettings.from(AtollConfig.parse("", "test").reader());
        KvSettings.MemoryLimits auto = new KvSettings.MemoryLimits(
                (long) (Runtime.getRuntime().maxMemory() * KvSettings.AUTO_MAXMEMORY_SHARE), KvSettings.EvictionPolicy.NOEVICTION, 5);
        assertEquals(new KvSettings(true, KvSettings.FsyncPolicy.EVERYSEC, Path.of("data/kv"), 64L << 20, 100, 16L << 20,
                new KvSettings.InputLimits(512 << 20, 1 << 30, 0), KvTestServer.OUTPUT, 10_000, Duration.ZERO, "", true,
                true, false, false, auto, KvSettings.PUBSUB_DEFAULT), s);
    }

    @Test
    void tunablesAreReadWithRedisSNamesAndRanges() {
        assertEquals(Tunables.DEFAULT, Tunables.from(AtollConfig.parse("", "test").reader()), "Redis 7.0's defaults");
        Tunables t = Tunables.from(AtollConfig.parse("kv { hash-max-listpack-entries = 3, hash-max-listpack-value = 255, "
                + "zset-max-listpack-entries = 0, zset-max-listpack-value = 1k, set-max-intset-entries = 9, hz = 500, "
                + "active-expire-effort = 10, lfu-log-factor = 0, lfu-decay-time = 0, maxmemory-eviction-tenacity = 100, "
                + "acllog-max-len = 0, aof-rewrite-incremental-fsync = no, rdb-save-incremental-fsync = no, "
                + "activerehashing = no }", "test").reader());
        assertEquals(new Tunables(new EncodingLimits(3, 255, 0, 1024, 9), 500, 10, 0, 0, 100, 0, false, false, 0, 10, false), t);
        assertEquals(0, KvSettings.from(AtollConfig.parse("kv.aof.rewrite-growth-percent = 0", "t").reader())
                .rewriteGrowthPercent(), "0: no rewrite starts by itself, as Redis's auto-aof-rewrite-percentage 0");
        for (String bad : new String[] {"hz = 0", "hz = 501", "active-expire-effort = 11", "hash-max-listpack-value = 256",
            "hash-max-listpack-entries = 65536", "maxmemory-eviction-tenacity = 101", "set-max-intset-entries = -1",
            "lfu-log-factor = many", "aof-rewrite-incremental-fsync = sometimes", "activerehashing = 2"}) {
            String message = assertThrows(InvalidConfigException.class, () -> Tunables.from(
                    AtollConfig.parse("kv." + bad, "my.conf").reader())).getMessage();
            String key = "kv." + bad.substring(0, bad.indexOf(' '));
            String value = bad.substring(bad.indexOf('=') + 2);
            assertTrue(message.contains(key) && message.contains(value) && message.contains("my.conf"), message);
        }
    }

    @Test
    void maxmemoryIsReadAsRedisWritesIt() {
        KvSettings s = KvSettings.from(AtollConfig.parse("kv { maxmemory = 100m, maxmemory-policy = allkeys-lfu, "
                + "maxmemory-samples = 10 }", "test").reader());
        assertEquals(new KvSettings.MemoryLimits(100L << 20, KvSettings.EvictionPolicy.ALLKEYS_LFU, 10), s.memory());
        assertEquals(25L << 20, s.memory().perShard(4));
        assertEquals(0, KvSettings.from(AtollConfig.parse("kv.maxmemory = 0", "test").reader()).memory().perShard(2));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> KvSettings.from(AtollConfig.parse("kv.maxmemory-policy = lru", "test").reader()));
        assertTrue(e.getMessage().contains("kv.maxmemory-policy") && e.getMessage().contains("allkeys-lru"), e.getMessage());
        e = assertThrows(InvalidConfigException.class,
                () -> KvSettings.from(AtollConfig.parse("kv.maxmemory = lots", "test").reader()));
        assertTrue(e.getMessage().contains("kv.maxmemory") && e.getMessage().contains("lots"), e.getMessage());
    }

    @Test
    void inputLimitsAndProtectedModeAreRead() {
        KvSettings s = KvSettings.from(AtollConfig.parse("kv { proto-max-bulk-len = 1m, client-query-buffer-limit = 2m, "
                + "query-buffers-per-shard = 64m, protected-mode = no }", "test").reader());
        assertEquals(new KvSettings.InputLimits(1 << 20, 2 << 20, 64L << 20), s.input());
        assertEquals(64L << 20, s.input().perShard(4));
        assertEquals(false, s.protectedMode());
        long heap = Runtime.getRuntime().maxMemory();
        assertEquals(heap / 4 / 2, new KvSettings.InputLimits(1 << 20, 1 << 20, 0).perShard(2),
                "auto: a quarter of the heap over the shards");
    }

    @Test
    void dbfilenameIsAFileNameInTheDirectory() {
        assertEquals(Path.of("data/kv/dump.rdb"), KvSettings.from(AtollConfig.parse("", "test").reader()).rdbPath(),
                "Redis's default name, in kv.dir");
        assertEquals(Path.of("/d/backup.rdb"), KvSettings.from(AtollConfig.parse(
                "kv { dir = \"/d\", dbfilename = backup.rdb }", "test").reader()).rdbPath());
        for (String bad : new String[] {"\"x/dump.rdb\"", "\"..\"", "\" \""}) {
            String message = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                    AtollConfig.parse("kv.dbfilename = " + bad, "my.conf").reader())).getMessage();
            assertTrue(message.contains("kv.dbfilename") && message.contains("my.conf"), message);
        }
    }

    @Test
    void savePointsAreReadAsRedisWritesThemAndNamedWhenWrong() {
        KvSettings.RdbSettings rdb = KvSettings.from(AtollConfig.parse("", "test").reader()).rdb();
        assertEquals(KvSettings.RdbSettings.DEFAULT, rdb, "no save points, compression and checksum on");
        rdb = KvSettings.from(AtollConfig.parse("kv { save = \"3600 1  300 100\", rdbcompression = no, rdbchecksum = no,"
                + " stop-writes-on-bgsave-error = no }", "test").reader()).rdb();
        assertEquals(List.of(new KvSettings.RdbSettings.SavePoint(3600, 1), new KvSettings.RdbSettings.SavePoint(300, 100)),
                rdb.savePoints());
        assertEquals("3600 1 300 100", rdb.savePointsText());
        assertFalse(rdb.compression() || rdb.checksum() || rdb.stopWritesOnError());
        for (String bad : new String[] {"\"3600\"", "\"0 1\"", "\"60 -1\"", "\"x 1\"", "60"}) {
            String message = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                    AtollConfig.parse("kv.save = " + bad, "my.conf").reader())).getMessage();
            assertTrue(message.contains("kv.save") && message.contains("my.conf") && message.contains("save points"), message);
        }
    }

    @Test
    void notifyKeyspaceEventsIsReadAsConfigSetTakesIt() {
        assertEquals(0, KvSettings.from(AtollConfig.parse("", "test").reader()).keyspaceEvents(), "off by default, as Redis");
        assertEquals(KeyspaceEvents.parse("KEA"),
                KvSettings.from(AtollConfig.parse("kv.notify-keyspace-events = KEA", "test").reader()).keyspaceEvents());
        assertEquals("gKEm", KeyspaceEvents.format(
                KvSettings.from(AtollConfig.parse("kv.notify-keyspace-events = \"Egm$K\"", "test").reader()).keyspaceEvents()
                        & ~KeyspaceEvents.STRING));
        for (String bad : new String[] {"KEq", "[K, E]"}) {
            String message = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                    AtollConfig.parse("kv.notify-keyspace-events = " + bad, "my.conf").reader())).getMessage();
            assertTrue(message.contains("kv.notify-keyspace-events = " + (bad.equals("KEq") ? "\"KEq\"" : "["))
                    && message.contains("Ag$lshzxeKEtmdn") && message.contains("my.conf"), message);
        }
    }

    @Test
    void aBadValueNamesTheKeyTheValueAndWhereItCameFrom() {
        String message = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.appendfsync = sometimes", "my.conf").reader())).getMessage();
        assertTrue(message.contains("kv.appendfsync") && message.contains("sometimes")
                && message.contains("always, everysec, no") && message.contains("my.conf"), message);
        String size = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.proto-max-bulk-len = 10", "my.conf").reader())).getMessage();
        assertTrue(size.contains("kv.proto-max-bulk-len") && size.contains("10") && size.contains("my.conf"), size);
        String perShard = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.query-buffers-per-shard = lots", "my.conf").reader())).getMessage();
        assertTrue(perShard.contains("kv.query-buffers-per-shard") && perShard.contains("lots")
                && perShard.contains("auto or a size") && perShard.contains("my.conf"), perShard);
        String replaced = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.max-request-bytes = 64m", "my.conf").reader())).getMessage();
        assertTrue(replaced.contains("kv.max-request-bytes") && replaced.contains("kv.client-query-buffer-limit")
                && replaced.contains("my.conf"), replaced);
        String queued = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.aof.max-queued-bytes = 1k", "my.conf").reader())).getMessage();
        assertTrue(queued.contains("kv.aof.max-queued-bytes") && queued.contains("my.conf"), queued);
    }

    @Test
    void thePubSubLimitIsReadAndNamedWhenWrong() {
        assertEquals(KvSettings.PUBSUB_DEFAULT, KvSettings.from(AtollConfig.parse("", "test").reader()).pubsubOutput());
        assertEquals(new KvSettings.PubSubLimits(1 << 20, 0, 5), KvSettings.from(AtollConfig.parse(
                "kv.client-output-buffer-limit-pubsub { hard = 1m, soft = 0, soft-seconds = 5 }", "test").reader()).pubsubOutput());
        String tooSmall = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.client-output-buffer-limit-pubsub.hard = 1k", "my.conf").reader())).getMessage();
        assertTrue(tooSmall.contains("kv.client-output-buffer-limit-pubsub.hard") && tooSmall.contains("1k")
                && tooSmall.contains("64k") && tooSmall.contains("my.conf"), tooSmall);
        String soft = assertThrows(InvalidConfigException.class, () -> KvSettings.from(AtollConfig.parse(
                "kv.client-output-buffer-limit-pubsub { hard = 1m, soft = 2m }", "my.conf").reader())).getMessage();
        assertTrue(soft.contains("kv.client-output-buffer-limit-pubsub.soft") && soft.contains("2m")
                && soft.contains("my.conf"), soft);
    }

    @Test
    void outputLimitsAreBoundedAndNamedWhenWrong() {
        KvSettings.OutputLimits set = KvSettings.from(AtollConfig.parse("""
                kv.client-output-buffer-limit { hard = 32m, soft = 8m, soft-seconds = 10, shard-total = 1g }
                kv.output-pause { high-water = 2m, low-water = 1m }
                """, "my.conf").reader()).output();
        assertEquals(new KvSettings.OutputLimits(32L << 20, 8L << 20, 10, 2L << 20, 1L << 20, 1L << 30), set);
        assertEquals(set.shardTotal(), set.shardTotal(4));
        KvSettings.OutputLimits auto = KvSettings.from(AtollConfig.parse("", "test").reader()).output();
        assertEquals(Runtime.getRuntime().maxMemory() / 4 / 2, auto.shardTotal(2));
        String[][] wrong = {
                {"kv.client-output-buffer-limit.hard = 0", "kv.client-output-buffer-limit.hard"},
                {"kv.client-output-buffer-limit.soft = 300m", "kv.client-output-buffer-limit.soft"},
                {"kv.client-output-buffer-limit.shard-total = lots", "kv.client-output-buffer-limit.shard-total"},
                {"kv.output-pause.low-water = 2m", "kv.output-pause.low-water"},
        };
        for (String[] c : wrong) {
            String message = assertThrows(InvalidConfigException.class,
                    () -> KvSettings.from(AtollConfig.parse(c[0], "my.conf").reader()), c[0]).getMessage();
            assertTrue(message.contains(c[1]) && message.contains(c[0].substring(c[0].indexOf('=') + 2))
                    && message.contains("my.conf"), message);
        }
    }
}
