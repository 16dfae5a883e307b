package dev.atoll.examples.kv;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * redis-cli against the kv server (issue 18): a script of every command family
 * ({@code src/test/resources/kv/redis-cli/script.txt}) piped into {@code redis-cli --no-raw} (and
 * {@code redis-cli -3}) must print what redis-cli printed for redis-server 7.0.15 ({@code resp2.txt},
 * {@code resp3.txt}, recorded from it; when redis-server is installed the recording is checked against a
 * fresh one), with 1 and 2 shards; {@code redis-cli --scan} must list every key. Skipped, saying so,
 * when redis-cli is not installed (CI has none).
 */
class KvRedisCliTest extends KvOneAndTwoShards {
    private static final String DIR = "/kv/redis-cli/";

    private static String redisCli() {
        String cli = KvRedisComparisonTest.onPath("redis-cli");
        Assumptions.assumeTrue(cli != null, "redis-cli is not installed: the redis-cli scenario is skipped");
        return cli;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = KvRedisCliTest.class.getResourceAsStream(DIR + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** What {@code redis-cli -p port args...} prints with {@code input} on its stdin (bounded: 30 s). */
    static String run(int port, String input, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(redisCli(), "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, KvTestServer.THREADS);
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        try {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "redis-cli ends within 30 s");
            return new String(output.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
        }
    }

    /** Whether this redis-cli has {@code -3} (RESP3, Redis 6 on). */
    private static boolean speaksResp3() throws Exception {
        return run(server(1).port(), "", "--help").contains("-3 ");
    }

    @ParameterizedTest(name = "{0} shard(s), RESP{1}")
    @CsvSource({"1, 2", "2, 2", "1, 3", "2, 3"})
    void scriptOfEveryFamilyPrintsWhatRedisPrints(int shards, int protocol) throws Exception {
        redisCli();
        if (protocol == 3) {
            Assumptions.assumeTrue(speaksResp3(), "this redis-cli has no -3");
        }
        KvTestServer server = server(shards);
        String expected = resource("resp" + protocol + ".txt");
        String[] args = protocol == 3 ? new String[] {"-3", "--no-raw"} : new String[] {"--no-raw"};
        assertEquals(expected, run(server.port(), resource("script.txt"), args));
    }

    @Test
    void keysOfTheScriptCrossShards() {
        for (String[] pair : new String[][] {{"a", "renamed"}, {"renamed", "copied"}, {"l", "l2"}, {"z", "z2"}, {"z2", "zu"}}) {
            byte[] from = pair[0].getBytes(StandardCharsets.UTF_8);
            byte[] to = pair[1].getBytes(StandardCharsets.UTF_8);
            assertNotEquals(KeySlots.owner(from, 0, from.length, 2),
                    KeySlots.owner(to, 0, to.length, 2), "with 2 shards " + pair[0] + " and " + pair[1]
                            + " are on different shards, so the script's RENAME, COPY, LMOVE and ZUNIONSTORE cross them");
        }
    }

    /** The recorded replies are redis-server's own: checked against a fresh redis-server when it is installed. */
    @Test
    void recordingIsRedisServersOwn() throws Exception {
        redisCli();
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try {
            KvRedisComparisonTest.connect(port).close();
            assertEquals(resource("resp2.txt"), run(port, resource("script.txt"), "--no-raw"));
            if (speaksResp3()) {
                assertEquals(resource("resp3.txt"), run(port, resource("script.txt"), "-3", "--no-raw"));
            }
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0} shard(s)")
    @CsvSource({"1", "2"})
    void scanListsEveryKey(int shards) throws Exception {
        redisCli();
        KvTestServer server = server(shards);
        Set<String> written = new TreeSet<>();
        StringBuilder script = new StringBuilder("FLUSHALL\n");
        for (int i = 0; i < 300; i++) {
            written.add("key:" + i);
            script.append("SET key:").append(i).append(" v\n");
        }
        script.append("HSET other f v\n");
        run(server.port(), script.toString());
        Set<String> scanned = new TreeSet<>(run(server.port(), "", "--scan", "--pattern", "key:*").lines().toList());
        assertEquals(written, scanned);
        Set<String> all = new TreeSet<>(run(server.port(), "", "--scan").lines().toList());
        assertEquals(301, all.size());
        assertEquals(Set.of("other"), new TreeSet<>(run(server.port(), "", "--scan", "--pattern", "oth*").lines().toList()));
    }
}
