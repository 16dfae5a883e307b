package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import dev.atoll.examples.StreamFuzz;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kv server fuzzed end to end over a socket (issue 14): random command streams — RESP and inline,
 * keys spread over the shards, unknown commands and blank lines between them, sometimes ending in a
 * fatal protocol error — written in pieces cut at random byte boundaries, sometimes waiting for the
 * replies of what was sent (so that a read ends inside a command), sometimes one deep pipeline. Every
 * reply is checked against a model of the keys. Bounded in rounds and time; the seed is in every
 * failure message.
 */
class KvStreamFuzzTest {
    private static final int MAX_ROUNDS = 40;
    private static final long MAX_NANOS = 8_000_000_000L;
    private static final Pattern INTEGER = Pattern.compile("0|-?[1-9][0-9]{0,17}");
    private static final RespClient.Error NOT_INTEGER = new RespClient.Error("ERR value is not an integer or out of range");
    /** A unit of the stream that has no reply (a blank inline line). */
    private static final Object NO_REPLY = new Object();
    /** The connection closes after this reply. */
    private static final RespClient.Error FATAL = new RespClient.Error("ERR Protocol error: invalid multibulk length");

    @ParameterizedTest
    @MethodSource("dev.atoll.examples.StreamFuzz#driversAndShards")
    void randomStreamsCutAnywhereGetEveryReplyRight(DriverKind driver, int shards) throws Exception {
        try (KvTestServer server = KvTestServer.start(shards, driver, KvTestServer.settings(null,
                KvSettings.FsyncPolicy.NO))) {
            StreamFuzz.rounds(driver, shards, MAX_ROUNDS, MAX_NANOS, (random, where) -> {
                try (RespClient c = server.client()) {
                    assertEquals("OK", c.call("FLUSHALL"), where);
                    runRound(c, random, where);
                }
            });
        }
    }

    private static void runRound(RespClient c, SplittableRandom random, String where) throws Exception {
        Stream stream = new Stream(random);
        boolean deep = random.nextInt(4) == 0;
        int commands = deep ? 2000 + random.nextInt(8000) : 20 + random.nextInt(300);
        for (int i = 0; i < commands; i++) {
            stream.next();
        }
        boolean fatal = random.nextInt(4) == 0;
        if (fatal) {
            stream.fatalGarbage();
        }
        byte[] bytes = stream.bytes.toByteArray();
        List<Object> replies = stream.replies;
        int[] replyEnds = stream.replyEnds();
        AtomicInteger read = new AtomicInteger();
        Thread writer = StreamFuzz.startWriter(c.output(), bytes, new SplittableRandom(random.nextLong()), deep ? 0 : 5,
                written -> StreamFuzz.complete(replyEnds, written), read::get);
        try {
            for (int i = 0; i < replies.size(); i++) {
                Object reply;
                try {
                    reply = c.read();
                } catch (IOException e) {
                    throw new AssertionError("no reply " + i + " of " + replies.size() + " (" + where + ")", e);
                }
                assertEquals(replies.get(i), reply, "reply " + i + " of " + replies.size() + " (" + where + ")");
                read.incrementAndGet();
            }
            if (fatal) {
                assertTrue(c.closedByServer(), "open after a protocol error (" + where + ")");
            } else {
                assertEquals("PONG", c.call("PING"), where);
            }
        } finally {
            read.set(Integer.MAX_VALUE); // a writer that waits goes on, and fails once the socket closes
            writer.join(30_000);
        }
    }

    /** A random stream of requests and the replies a Redis server gives them, from a model of the keys. */
    private static final class Stream {
        private final SplittableRandom random;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Object> replies = new ArrayList<>();
        /** The stream's length after each unit with a reply. */
        private final List<Integer> ends = new ArrayList<>();
        private final Map<String, String> keys = new HashMap<>();

        Stream(SplittableRandom random) {
            this.random = random;
        }

        void next() {
            switch (random.nextInt(14)) {
                case 0, 1 -> {
                    String k = key();
                    String v = value();
                    keys.put(k, v);
                    request("OK", "SET", k, v);
                }
                case 2, 3 -> {
                    String k = key();
                    request(keys.get(k), "GET", k);
                }
                case 4 -> {
                    String k = key();
                    String old = keys.get(k);
                    if (old != null && !INTEGER.matcher(old).matches()) {
                        request(NOT_INTEGER, "INCR", k);
                    } else {
                        long n = old == null ? 1 : Long.parseLong(old) + 1;
                        keys.put(k, Long.toString(n));
                        request(n, "INCR", k);
                    }
                }
                case 5 -> {
                    String k = key();
                    String suffix = value();
                    String v = keys.getOrDefault(k, "") + suffix;
                    keys.put(k, v);
                    request((long) v.length(), "APPEND", k, suffix);
                }
                case 6 -> {
                    List<String> args = new ArrayList<>(List.of("MSET"));
                    for (int i = 1 + random.nextInt(5); i > 0; i--) {
                        String k = key();
                        String v = value();
                        args.add(k);
                        args.add(v);
                        keys.put(k, v);
                    }
                    request("OK", args.toArray(String[]::new));
                }
                case 7 -> {
                    List<String> args = new ArrayList<>(List.of("MGET"));
                    List<Object> values = new ArrayList<>();
                    for (int i = 1 + random.nextInt(6); i > 0; i--) {
                        String k = key();
                        args.add(k);
                        values.add(keys.get(k));
                    }
                    request(values, args.toArray(String[]::new));
                }
                case 8 -> {
                    List<String> args = new ArrayList<>(List.of(random.nextBoolean() ? "DEL" : "EXISTS"));
                    long count = 0;
                    for (int i = 1 + random.nextInt(4); i > 0; i--) {
                        String k = key();
                        args.add(k);
                        if (args.get(0).equals("DEL")) {
                            count += keys.remove(k) != null ? 1 : 0;
                        } else {
                            count += keys.containsKey(k) ? 1 : 0;
                        }
                    }
                    request(count, args.toArray(String[]::new));
                }
                case 9 -> {
                    String k = key();
                    request((long) keys.getOrDefault(k, "").length(), "STRLEN", k);
                }
                case 10 -> request("PONG", "PING");
                case 11 -> request(new RespClient.Error("ERR wrong number of arguments for 'get' command"), "GET");
                case 12 -> {
                    String name = "zz" + token(1 + random.nextInt(6));
                    String arg = token(1 + random.nextInt(6));
                    request(new RespClient.Error("ERR unknown command '" + name + "', with args beginning with: '"
                            + arg + "' "), name, arg);
                }
                default -> unit(NO_REPLY, random.nextBoolean() ? "\r\n" : " \t \r\n"); // skipped, as by Redis
            }
        }

        /** Ends the stream with bytes that cannot start a request; junk may follow, it is never read. */
        int[] replyEnds() {
            return ends.stream().mapToInt(Integer::intValue).toArray();
        }

        void fatalGarbage() {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            unit(FATAL, "*x" + new String(junk, StandardCharsets.ISO_8859_1));
        }

        /** A command in RESP or, when its arguments allow, inline (LF or CRLF ended). */
        private void request(Object reply, String... args) {
            boolean inline = random.nextInt(3) == 0 && Arrays.stream(args).allMatch(a -> a.matches("[A-Za-z0-9:_.-]+"));
            if (inline) {
                unit(reply, String.join(random.nextBoolean() ? " " : "  ", args) + (random.nextBoolean() ? "\r\n" : "\n"));
            } else {
                unit(reply, new String(RespClient.encode(args), StandardCharsets.ISO_8859_1));
            }
        }

        private void unit(Object reply, String text) {
            bytes.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
            if (reply != NO_REPLY) {
                replies.add(reply);
                ends.add(bytes.size());
            }
        }

        private String key() {
            return "key:" + random.nextInt(24);
        }

        /** A value: a number, a word, or (for RESP only) bytes with spaces, CR and LF, up to a few KiB. */
        private String value() {
            return switch (random.nextInt(4)) {
                case 0 -> Long.toString(random.nextInt(2000) - 1000);
                case 1 -> token(1 + random.nextInt(12));
                case 2 -> "with space\r\nand lines " + token(random.nextInt(40));
                default -> token(1 + random.nextInt(6000));
            };
        }

        private String token(int length) {
            StringBuilder b = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                b.append((char) ('a' + random.nextInt(26)));
            }
            return b.toString();
        }
    }
}
