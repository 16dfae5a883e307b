package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * DEBUG DIGEST and DIGEST-VALUE: the same digests as redis-server 7.0.15 (started by the test, skipped when not
 * installed) for a dataset of every type in its small and large encodings, keys with an expiry among them, on 1 and 2
 * shards; and a dataset's digest unchanged by a restart that replays its logs on another number of shards.
 */
class KvDigestTest {
    private static final String[] KEYS = {"s", "n", "neg", "long", "f", "e", "l", "bigl", "ints", "strs", "bigs", "hs",
        "bigh", "zs", "bigz", "st", "nokey"};

    /** The commands that make the dataset. */
    private static List<String[]> dataset() {
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"SET", "s", "hello"});
        commands.add(new String[] {"SET", "n", "12345"});
        commands.add(new String[] {"SET", "neg", "-7"});
        commands.add(new String[] {"SET", "long", "x".repeat(100)});
        commands.add(new String[] {"INCRBYFLOAT", "f", "10.25"});
        commands.add(new String[] {"SET", "e", "v", "EX", "1000"});
        commands.add(new String[] {"RPUSH", "l", "a", "b", "1", "2"});
        commands.add(new String[] {"SADD", "ints", "3", "1", "2", "-5"});
        commands.add(new String[] {"SADD", "strs", "a", "b", "c"});
        commands.add(new String[] {"HSET", "hs", "f", "v", "g", "1"});
        commands.add(new String[] {"EXPIRE", "hs", "1000"});
        commands.add(new String[] {"ZADD", "zs", "1", "a", "2.5", "b", "-1", "c", "10", "12", "0.1", "d", "1e20", "e",
            "inf", "f", "-inf", "g"});
        for (int i = 0; i < 600; i++) { // past every listpack and intset threshold
            commands.add(new String[] {"RPUSH", "bigl", "element-" + i});
            commands.add(new String[] {"SADD", "bigs", "member-" + i});
            commands.add(new String[] {"HSET", "bigh", "field-" + i, Integer.toString(i * 7)});
            commands.add(new String[] {"ZADD", "bigz", Double.toString(i / 7.0), "member-" + i});
            commands.add(new String[] {"XADD", "st", (i + 1) + "-" + (i % 3), "f", "v" + i, "g", Integer.toString(i)});
        }
        commands.add(new String[] {"XDEL", "st", "5-1", "300-2"});
        commands.add(new String[] {"XGROUP", "CREATE", "st", "readers", "0"}); // a group is not in the digest
        return commands;
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void theDigestsAreRedisSOwn(int shards) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port, "--enable-debug-command", "yes");
        try (KvTestServer atoll = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient a = atoll.client();
             RespClient r = KvRedisComparisonTest.connect(port)) {
            assertEquals("0".repeat(40), r.call("DEBUG", "DIGEST"));
            assertEquals(r.call("DEBUG", "DIGEST"), a.call("DEBUG", "DIGEST"));
            for (String[] command : dataset()) {
                r.call(command);
                a.call(command);
            }
            String[] digestValue = new String[KEYS.length + 2];
            digestValue[0] = "DEBUG";
            digestValue[1] = "DIGEST-VALUE";
            System.arraycopy(KEYS, 0, digestValue, 2, KEYS.length);
            assertEquals(r.call(digestValue), a.call(digestValue), "each value's digest");
            Object digest = r.call("DEBUG", "DIGEST");
            assertEquals(digest, a.call("DEBUG", "DIGEST"), "the dataset's digest");
            assertEquals(r.call("DEBUG", "DIGEST-VALUE"), a.call("DEBUG", "DIGEST-VALUE"));
            assertEquals(r.call("DEBUG", "DIGEST", "x"), a.call("DEBUG", "DIGEST", "x"));

            for (String[] change : new String[][] {{"PERSIST", "e"}, {"LSET", "bigl", "7", "other"}, {"ZINCRBY", "zs", "1", "a"}}) {
                r.call(change);
                a.call(change);
                Object changed = r.call("DEBUG", "DIGEST");
                assertNotEquals(digest, changed, String.join(" ", change));
                assertEquals(changed, a.call("DEBUG", "DIGEST"), String.join(" ", change));
                digest = changed;
            }
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRestartOnAnotherNumberOfShardsKeepsTheDigest(@TempDir Path dir) throws Exception {
        Object digest;
        try (KvTestServer kv = KvTestServer.start(3, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            for (String[] command : dataset()) {
                c.call(command);
            }
            digest = c.call("DEBUG", "DIGEST");
            assertNotEquals("0".repeat(40), digest);
        }
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            assertEquals(digest, c.call("DEBUG", "DIGEST"), "the logs of 3 shards replayed on 2");
        }
    }
}
