package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Lua debugger ({@link LuaDebugger}): sessions recorded from redis-server 7.0.15
 * ({@code kv/lua-debugger-sessions.txt}: step, print, list, break and continue, trace, eval, redis,
 * maxlen, help, abort, an error in the script, a compile error) replayed byte for byte on 1 and 2
 * shards and checked against a live redis-server; {@code redis-cli --ldb --eval} with its stdin fed
 * prints what it printed for redis-server; the shard answers other clients while a session is stopped
 * and nothing the script does reaches the data; a client gone ends the session's thread.
 */
class KvLuaDebuggerTest {
    private static final String SESSIONS = "/kv/lua-debugger-sessions.txt";
    private static final KvSettings SETTINGS = KvTestServer.settings(null, KvSettings.FsyncPolicy.EVERYSEC);

    /** One recorded session: its script, keys, arguments, setup, the EVAL's replies, steps, and the checks after it. */
    record Session(String name, String script, List<String> keys, List<String> argv, List<List<String>> setup,
                   Step eval, List<Step> steps, List<Step> checks) { }

    /** A command (words) and the replies it got from Redis, and from Atoll where the recording says it differs. */
    record Step(List<String> command, List<String> replies, List<String> atollReplies) {
        List<String> expected(boolean atoll) {
            return atoll && !atollReplies.isEmpty() ? atollReplies : replies;
        }
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void sessionsAnswerAsRedis(int shards) throws Exception {
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, SETTINGS)) {
            assertEquals(List.of(), differences(server.port(), true));
        }
    }

    @Test
    void theRecordingIsRedisSOwn() throws Exception {
        int port = KvRedisComparisonTest.freePort();
        Process redis = KvRedisComparisonTest.startRedisServer(port);
        try {
            KvRedisComparisonTest.connect(port).close();
            assertEquals(List.of(), differences(port, false));
        } finally {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@code redis-cli --ldb --eval script key , arg} fed step, print, redis, list, continue: what it printed for redis-server. */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void redisCliLdbPrintsWhatItPrintedForRedis(int shards) throws Exception {
        String cli = KvRedisComparisonTest.onPath("redis-cli");
        Assumptions.assumeTrue(cli != null, "redis-cli is not installed: the redis-cli --ldb session is skipped");
        Path script = Files.createTempFile("ldb", ".lua");
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, SETTINGS);
             RespClient c = server.client()) {
            Files.write(script, resource("/kv/redis-cli/ldb-script.lua"));
            c.call("SET", "cli:k", "old");
            Process p = new ProcessBuilder(cli, "-p", Integer.toString(server.port()), "--ldb", "--eval", script.toString(),
                    "cli:k", ",", "new").redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write("step\nprint\nstep\nstep\nredis GET cli:k\nlist\ncontinue\n".getBytes(StandardCharsets.US_ASCII));
            }
            byte[] printed = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "redis-cli ends within 30 s");
            assertEquals(new String(resource("/kv/redis-cli/ldb-output.txt"), StandardCharsets.UTF_8),
                    new String(printed, StandardCharsets.UTF_8));
            assertEquals("old", c.call("GET", "cli:k"), "the session's SET was on a copy");
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /**
     * While a session is stopped (after its SET ran on the copy) the shard of its key answers other
     * clients, and sees the key as it was; after the session, too.
     */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void theShardServesOthersWhileStoppedAndTheKeyIsUnchanged(int shards) throws Exception {
        try (KvTestServer server = KvTestServer.start(shards, DriverKind.AUTO, SETTINGS);
             RespClient other = server.client();
             Raw debug = new Raw(server.port())) {
            other.call("SET", "k", "before");
            debug.send("SCRIPT", "DEBUG", "YES");
            assertEquals("+OK\r\n", debug.read());
            debug.send("EVAL", "redis.call('SET', KEYS[1], 'inside')\nredis.call('INCR', 'k2{k}')\nreturn redis.call('GET', KEYS[1])", "1", "k");
            assertTrue(debug.read().contains("Stopped at 1"));
            debug.send("break", "3");
            debug.read();
            debug.send("continue");
            assertTrue(debug.read().contains("stop reason = break point"));
            assertEquals("before", other.call("GET", "k"), "stopped at a breakpoint, the shard answers another client");
            assertEquals("OK", other.call("SET", "k3{k}", "x"));
            debug.send("print", "KEYS");
            assertEquals("*1\r\n+<value> {\"k\"}\r\n", debug.read());
            debug.send("redis", "GET", "k");
            assertEquals("*2\r\n+<redis> GET k\r\n+<reply> \"inside\"\r\n", debug.read(), "the copy has the script's write");
            debug.send("continue");
            assertEquals("*1\r\n+<endsession>\r\n", debug.read());
            assertEquals("$6\r\ninside\r\n", debug.read());
            assertEquals(null, debug.read(), "the server closes the connection after the session");
            assertEquals("before", other.call("GET", "k"), "rolled back");
            assertEquals(null, other.call("GET", "k2{k}"));
        }
    }

    /** A client that closes while stopped, or while its script loops, leaves no session thread behind. */
    @Test
    void aClientGoneEndsTheSessionThread() throws Exception {
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, SETTINGS);
             RespClient other = server.client()) {
            awaitRunning(0); // the sessions of the tests before, whose clients closed
            int before = 0;
            try (Raw stopped = new Raw(server.port())) {
                stopped.send("SCRIPT", "DEBUG", "YES");
                stopped.read();
                stopped.send("EVAL", "local a = 1\nreturn a", "0");
                assertTrue(stopped.read().contains("Stopped at 1"));
                assertEquals(before + 1, LuaDebugger.running());
            }
            awaitRunning(before);
            assertEquals("OK", other.call("CONFIG", "SET", "busy-reply-threshold", "100"));
            try (Raw looping = new Raw(server.port())) {
                looping.send("SCRIPT", "DEBUG", "YES");
                looping.read();
                looping.send("EVAL", "local n = 0\nwhile true do\n  n = n + 1\nend", "0");
                assertTrue(looping.read().contains("Stopped at 1"));
                looping.send("continue");
                assertTrue(looping.read().contains("stop reason = timeout reached, infinite loop?"),
                        "a loop that runs past busy-reply-threshold stops, as in Redis");
                looping.send("continue");
                assertEquals(before + 1, LuaDebugger.running());
            }
            awaitRunning(before);
            assertEquals("PONG", other.call("PING"));
        }
    }

    /** A client that keeps sending while its script runs without a stop is closed past 1024 waiting commands. */
    @Test
    void tooManyCommandsAheadOfTheScriptCloseTheConnection() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, SETTINGS);
             Raw c = new Raw(server.port())) {
            awaitRunning(0);
            c.send("SCRIPT", "DEBUG", "YES");
            c.read();
            c.send("EVAL", "while true do end", "0");
            assertTrue(c.read().contains("Stopped at 1"));
            c.send("continue"); // runs until busy-reply-threshold (5 s) passes
            byte[] print = RespClient.encode("print");
            ByteArrayOutputStream many = new ByteArrayOutputStream();
            for (int i = 0; i < 1100; i++) {
                many.write(print);
            }
            c.sendRaw(many.toByteArray());
            assertEquals(null, c.read(), "closed by the server");
            awaitRunning(0);
        }
    }

    @Test
    void syncAndEvalshaAreRefused() throws Exception {
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, SETTINGS);
             RespClient c = server.client()) {
            Object sync = c.call("SCRIPT", "DEBUG", "SYNC");
            assertTrue(sync instanceof RespClient.Error e && e.text().startsWith("ERR SCRIPT DEBUG SYNC is not supported"), String.valueOf(sync));
            assertEquals("OK", c.call("SCRIPT", "DEBUG", "YES"));
            assertEquals(new RespClient.Error("ERR Please use EVAL instead of EVALSHA for debugging"),
                    c.call("EVALSHA", "a".repeat(40), "0"));
            assertEquals(new RespClient.Error("NOSCRIPT No matching script. Please use EVAL."), c.call("EVALSHA", "abc", "0"));
            assertEquals("OK", c.call("SCRIPT", "DEBUG", "NO"));
            assertEquals(1L, c.call("EVAL", "return 1", "0"), "NO: EVAL runs as usual");
            assertEquals(new RespClient.Error("ERR Use SCRIPT DEBUG YES/SYNC/NO"), c.call("SCRIPT", "DEBUG", "MAYBE"));
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'script|debug' command"), c.call("SCRIPT", "DEBUG"));
        }
    }

    private static void awaitRunning(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (LuaDebugger.running() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, LuaDebugger.running(), "the session's thread ended");
    }

    // ---- the recorded sessions ----

    /** Each reply of every recorded session that differs from what the server on {@code port} answers. */
    private static List<String> differences(int port, boolean atoll) throws Exception {
        List<String> found = new ArrayList<>();
        for (Session s : sessions()) {
            try (Raw c = new Raw(port)) {
                for (List<String> setup : s.setup()) {
                    c.send(setup.toArray(String[]::new));
                    c.read();
                }
                c.send("SCRIPT", "DEBUG", "YES");
                c.read();
                List<String> eval = new ArrayList<>(List.of("EVAL", s.script(), Integer.toString(s.keys().size())));
                eval.addAll(s.keys());
                eval.addAll(s.argv());
                c.send(eval.toArray(String[]::new));
                compare(found, s.name() + " EVAL", s.eval().expected(atoll), readAll(c, s.eval().replies().size()));
                for (Step step : s.steps()) {
                    c.send(step.command().toArray(String[]::new));
                    List<String> expected = step.expected(atoll);
                    compare(found, s.name() + " " + String.join(" ", step.command()), expected, readAll(c, expected.size()));
                }
            }
            for (Step check : s.checks()) {
                try (Raw c = new Raw(port)) {
                    c.send(check.command().toArray(String[]::new));
                    compare(found, s.name() + " then " + String.join(" ", check.command()), check.replies(), readAll(c, 1));
                }
            }
        }
        return found;
    }

    private static void compare(List<String> found, String what, List<String> expected, List<String> actual) {
        if (!expected.equals(actual)) {
            found.add(what + ": expected " + expected + " but got " + actual);
        }
    }

    /** {@code count} replies, "closed" for the server's close. */
    private static List<String> readAll(Raw c, int count) throws IOException {
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String reply = c.read();
            replies.add(reply == null ? "closed" : reply);
        }
        return replies;
    }

    private static List<Session> sessions() throws IOException {
        List<Session> sessions = new ArrayList<>();
        String name = null;
        String script = null;
        List<String> keys = null;
        List<String> argv = null;
        List<List<String>> setup = null;
        Step eval = null;
        List<Step> steps = null;
        List<Step> checks = null;
        Step current = null;
        for (String line : new String(resource(SESSIONS), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            String kind = space < 0 ? line : line.substring(0, space);
            String rest = space < 0 ? "" : line.substring(space + 1);
            switch (kind) {
                case "session" -> {
                    name = rest;
                    setup = new ArrayList<>();
                    eval = new Step(List.of("EVAL"), new ArrayList<>(), new ArrayList<>());
                    steps = new ArrayList<>();
                    checks = new ArrayList<>();
                    current = eval;
                }
                case "script" -> script = unescape(rest);
                case "keys" -> keys = words(rest);
                case "argv" -> argv = words(rest);
                case "setup" -> setup.add(words(rest));
                case "cmd", "check" -> {
                    current = new Step(words(rest), new ArrayList<>(), new ArrayList<>());
                    (kind.equals("cmd") ? steps : checks).add(current);
                }
                case "reply", "closed" -> {
                    String reply = kind.equals("closed") ? "closed" : unescape(rest);
                    current.replies().add(reply);
                    if (!current.atollReplies().isEmpty()) {
                        current.atollReplies().add(reply);
                    }
                }
                case "atoll" -> { // Atoll's answer instead of the last reply recorded
                    current.atollReplies().addAll(current.replies());
                    current.atollReplies().set(current.replies().size() - 1, unescape(rest));
                }
                case "end" -> sessions.add(new Session(name, script, keys, argv, setup, eval, steps, checks));
                default -> throw new IllegalStateException("unknown line in " + SESSIONS + ": " + line);
            }
        }
        return sessions;
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.split(" "));
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                out.append(next == 'r' ? '\r' : next == 'n' ? '\n' : next);
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = KvLuaDebuggerTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** A client that reads each reply as the bytes it came in (one RESP value), as the recording holds them. */
    static final class Raw implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        Raw(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
        }

        void send(String... args) throws IOException {
            try {
                socket.getOutputStream().write(RespClient.encode(args));
            } catch (IOException e) {
                // the server closed the connection: the next read says so
            }
        }

        void sendRaw(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
        }

        /** One reply as its bytes (ISO-8859-1), or null when the server closed the connection. */
        String read() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                if (!value(out)) {
                    return null;
                }
            } catch (java.net.SocketException e) {
                return null;
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }

        private boolean value(ByteArrayOutputStream out) throws IOException {
            String line = line(out);
            if (line == null) {
                return false;
            }
            char type = line.charAt(0);
            if (type == '$' || type == '=' || type == '!') {
                int length = Integer.parseInt(line.substring(1));
                if (length >= 0) {
                    out.write(in.readNBytes(length + 2));
                }
            } else if (type == '*' || type == '~' || type == '%' || type == '>') {
                int count = Integer.parseInt(line.substring(1)) * (type == '%' ? 2 : 1);
                for (int i = 0; i < count; i++) {
                    value(out);
                }
            }
            return true;
        }

        private String line(ByteArrayOutputStream out) throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
                if (b == '\n' && line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
                    return line.substring(0, line.length() - 1);
                }
                line.append((char) b);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
