package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A script of commands and the replies redis-server 7.0.15 gave to it, recorded one line per step
 * (each reply's {@code String.valueOf}) in a test resource: a server answers as Redis when every step
 * of the script, sent in order on one connection, answers what was recorded. {@link #checkAgainstRedis}
 * runs the same script against a fresh redis-server (skipped when none is installed), so the
 * recording stays Redis's own; with {@code -Drecord=FILE} it writes what redis-server answered there.
 */
record RecordedScript(String resource, List<List<String>> steps) {

    /** What each step answered on {@code c}. */
    List<String> replies(RespClient c) throws IOException {
        List<String> replies = new ArrayList<>();
        for (List<String> step : steps) {
            replies.add(String.valueOf(c.call(step.toArray(String[]::new))));
        }
        return replies;
    }

    /** The steps whose reply on {@code c} differs from the recording, each with both replies. */
    List<String> differences(RespClient c) throws IOException {
        return differences(replies(c));
    }

    /** {@link #differences} on a fresh Atoll kv of {@code shards} shards (no persistence). */
    List<String> differencesOnAtoll(int shards) throws Exception {
        try (KvTestServer kv = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client()) {
            return differences(c);
        }
    }

    /** The steps whose reply in {@code actual} (one per step, in order) differs from the recording, each with both replies. */
    List<String> differences(List<String> actual) throws IOException {
        List<String> expected;
        try (InputStream in = RecordedScript.class.getResourceAsStream(resource)) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<String> differences = new ArrayList<>();
        if (expected.size() != steps.size()) {
            differences.add(resource + " records " + expected.size() + " replies for " + steps.size() + " steps");
            return differences;
        }
        for (int i = 0; i < steps.size(); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                differences.add(String.join(" ", steps.get(i)) + ": expected " + expected.get(i) + ", got " + actual.get(i));
            }
        }
        return differences;
    }

    /** The differences of a fresh redis-server from the recording (skips the test when redis-server is absent). */
    List<String> checkAgainstRedis() throws Exception {
        return withRedis(port -> {
            try (RespClient c = KvRedisComparisonTest.connect(port)) {
                List<String> replies = replies(c);
                record(replies);
                return differences(replies);
            }
        });
    }

    /** With {@code -Drecord=FILE}: {@code replies}, one a line, into that file (a new recording). */
    static void record(List<String> replies) throws IOException {
        String record = System.getProperty("record");
        if (record != null) {
            Files.write(Path.of(record), replies);
        }
    }

    /**
     * The steps in RESP3 ({@code HELLO 3}), reply for reply, on a fresh Atoll kv of {@code shards} shards
     * as on a fresh redis-server (skips the test when redis-server is absent).
     */
    void assertResp3AsRedis(int shards) throws Exception {
        withRedis(port -> {
            try (KvTestServer atoll = KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
                 RespClient a = atoll.client(); RespClient r = KvRedisComparisonTest.connect(port)) {
                a.call("HELLO", "3");
                r.call("HELLO", "3");
                org.junit.jupiter.api.Assertions.assertEquals(replies(r), replies(a));
            }
            return null;
        });
    }

    /** What a test does with the loopback port of a redis-server that accepts. */
    interface OnRedis<T> {
        T apply(int port) throws Exception;
    }

    /** {@code use} of a fresh redis-server without persistence, stopped after (skips the test when redis-server is absent). */
    static <T> T withRedis(OnRedis<T> use) throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try {
            KvRedisComparisonTest.connect(port).close(); // waits until it accepts
            return use.apply(port);
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
