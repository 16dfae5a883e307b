package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MIGRATE ({@code MigrateCommand}): its replies and what reaches the target compared with a redis-server that
 * migrates the same keys; keys of both shards moved to another Atoll with their TTLs, and gone here after a
 * restart; the keys locked while the target answers (and only they); a target that never answers; and the
 * retry on a new connection after the first was closed.
 */
class KvMigrateTest {
    /** Commands against a source whose target listens on the port that replaces {@code TARGET}. */
    private static final String[][] SCRIPT = {
        {"SET", "a", "1"}, {"SET", "b", "2"}, {"RPUSH", "l", "x", "y"}, {"HSET", "h", "f", "v"}, {"SADD", "s", "m"},
        {"ZADD", "z", "1.5", "m"}, {"SET", "t", "v", "PX", "100000"}, {"XADD", "x", "1-1", "f", "v"},
        {"MIGRATE", "127.0.0.1", "TARGET", "a", "0", "1000"}, {"MIGRATE", "127.0.0.1", "TARGET", "a", "0", "1000"},
        {"MIGRATE", "127.0.0.1", "TARGET", "", "0", "1000", "KEYS", "b", "l", "h", "s", "z", "t", "x", "missing"},
        {"EXISTS", "a", "b", "l", "h", "s", "z", "t"}, {"SET", "b", "3"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "1000"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "1000", "COPY", "REPLACE"}, {"EXISTS", "b"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "1000", "AUTH"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "1000", "AUTH", "pw"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "1000", "AUTH2", "u", "pw"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "x", "1000"}, {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "x"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "1000", "FOO"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "1000", "KEYS", "b"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "5", "1000", "COPY"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "99", "1000", "COPY"},
        {"MIGRATE", "127.0.0.1", "TARGET", "", "0", "1000", "KEYS"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0", "-5", "COPY", "REPLACE"},
        {"MIGRATE", "localhost", "TARGET", "b", "0", "1000", "COPY", "REPLACE"},
        {"MIGRATE", "127.0.0.1", "abc", "b", "0", "1000"},
        {"MIGRATE", "127.0.0.1", "TARGET", "b", "0"},
        {"MULTI"}, {"SET", "c", "4"}, {"MIGRATE", "127.0.0.1", "TARGET", "c", "0", "1000"}, {"GET", "c"}, {"EXEC"},
    };

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void repliesAndWhatReachesTheTargetAreRedisSOwn(int shards) throws Exception {
        RecordedScript.withRedis(target -> RecordedScript.withRedis(source -> {
            List<String> redis = run(new RespClient(source), target);
            try (KvTestServer atoll = KvTestServer.start(shards, DriverKind.AUTO,
                    KvTestServer.settings(null, KvSettings.FsyncPolicy.NO))) {
                assertEquals(redis, run(atoll.client(), target));
            }
            return null;
        }));
    }

    /** {@link #SCRIPT}'s replies from {@code source}, then what the target holds in databases 0 and 5. */
    private static List<String> run(RespClient source, int target) throws IOException {
        List<String> seen = new ArrayList<>();
        try (RespClient t = new RespClient(target); source) {
            t.call("FLUSHALL");
            for (String[] command : SCRIPT) {
                String[] args = command.clone();
                for (int i = 0; i < args.length; i++) {
                    args[i] = args[i].equals("TARGET") ? Integer.toString(target) : args[i];
                }
                seen.add(String.join(" ", command) + " -> " + source.call(args));
            }
            for (String db : List.of("0", "5")) {
                t.call("SELECT", db);
                @SuppressWarnings("unchecked")
                List<Object> keys = new ArrayList<>((List<Object>) t.call("KEYS", "*"));
                keys.sort((x, y) -> x.toString().compareTo(y.toString()));
                for (Object key : keys) {
                    long pttl = (Long) t.call("PTTL", key.toString());
                    seen.add("db " + db + ": " + key + " " + t.call("TYPE", key.toString()) + " "
                            + t.call("DUMP", key.toString()) + (pttl > 90_000 ? " with its TTL" : " pttl " + pttl));
                }
            }
        }
        return seen;
    }

    /**
     * Keys of both shards, of every type and with a TTL, move to another Atoll; they are gone from the source,
     * also after a restart from its log (the deletions are logged).
     */
    @Test
    void keysOfBothShardsMoveToAnotherAtollAndStayGoneAfterARestart(@TempDir Path dir) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        List<String> keys = new ArrayList<>();
        try (KvTestServer target = KvTestServer.start(1, DriverKind.AUTO,
                KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient t = target.client()) {
            List<Object> dumps = new ArrayList<>();
            try (KvTestServer source = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = source.client()) {
                for (int i = 0; i < 20; i++) {
                    c.call("SET", "s" + i, "v" + i, "PX", "100000");
                    c.call("RPUSH", "l" + i, "a", "b");
                    c.call("HSET", "h" + i, "f", "v");
                    c.call("ZADD", "z" + i, "1", "m");
                    keys.addAll(List.of("s" + i, "l" + i, "h" + i, "z" + i));
                }
                for (String key : keys) {
                    dumps.add(c.call("DUMP", key));
                }
                List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(target.port()),
                        "", "0", "5000", "KEYS"));
                migrate.addAll(keys);
                assertEquals("OK", c.call(migrate.toArray(String[]::new)));
                assertEquals(0L, c.call("DBSIZE"));
            }
            for (int k = 0; k < keys.size(); k++) {
                assertEquals(dumps.get(k), t.call("DUMP", keys.get(k)), keys.get(k));
            }
            long pttl = (Long) t.call("PTTL", "s7");
            assertTrue(pttl > 90_000 && pttl <= 100_000, "s7's TTL: " + pttl);
            try (KvTestServer restarted = KvTestServer.start(2, DriverKind.AUTO, settings);
                 RespClient c = restarted.client()) {
                assertEquals(0L, c.call("DBSIZE"));
            }
        }
    }

    /**
     * While the target holds its reply, a GET of the key being migrated waits, and gets nothing once the
     * migration is over (seen failing: "v", with GET let through the keys' locks), while a
     * GET of another key of the same shard answers meanwhile.
     */
    @Test
    void theKeysAreLockedWhileTheTargetAnswersAndNoOtherKeyIs() throws Exception {
        try (FakeTarget target = new FakeTarget();
             KvTestServer atoll = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient a = atoll.client(); RespClient b = atoll.client(); RespClient other = atoll.client();
             RespClient monitor = atoll.client()) {
            a.call("SET", "k", "v");
            a.call("SET", "other", "w");
            assertEquals("OK", monitor.call("MONITOR"));
            CountDownLatch release = new CountDownLatch(1);
            target.serve(connection -> {
                List<String> select = connection.readCommand();
                List<String> restore = connection.readCommand();
                assertEquals(List.of("SELECT", "0"), select);
                assertEquals("RESTORE", restore.get(0));
                release.await(30, TimeUnit.SECONDS);
                connection.write("+OK\r\n+OK\r\n");
            });
            CompletableFuture<Object> migrated = CompletableFuture.supplyAsync(() -> call(a, "MIGRATE", "127.0.0.1",
                    Integer.toString(target.port()), "k", "0", "10000"));
            target.awaitCommands(2);
            b.send("GET", "k");
            while (!String.valueOf(monitor.read()).contains("\"GET\" \"k\"")) {
                // the monitor's lines, until the GET of the locked key is dispatched
            }
            assertEquals("w", other.call("GET", "other")); // the shard goes on
            release.countDown();
            assertEquals("OK", migrated.get(30, TimeUnit.SECONDS));
            assertEquals(null, b.read());
        }
    }

    /** A target that never answers: the reply is Redis's after the timeout, and the key stays. */
    @Test
    void aTargetThatNeverAnswersTimesOutAndTheKeyStays() throws Exception {
        try (FakeTarget target = new FakeTarget();
             KvTestServer atoll = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = atoll.client()) {
            c.call("SET", "k", "v");
            target.serve(connection -> connection.readCommand());
            assertEquals(new RespClient.Error("IOERR error or timeout reading to target instance"),
                    c.call("MIGRATE", "127.0.0.1", Integer.toString(target.port()), "k", "0", "200"));
            assertEquals("v", c.call("GET", "k"));
        }
    }

    /**
     * A connection closed before any reply is tried again on a new one, as Redis does (seen failing without
     * the retry: IOERR), and the new one is kept: the next MIGRATE sends no SELECT.
     */
    @Test
    void aConnectionClosedBeforeAnyReplyIsTriedAgainOnANewOneWhichIsKept() throws Exception {
        try (FakeTarget target = new FakeTarget();
             KvTestServer atoll = KvTestServer.start(1, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = atoll.client()) {
            c.call("SET", "k1", "v");
            c.call("SET", "k2", "v");
            List<List<String>> second = new ArrayList<>();
            target.serve(connection -> { }); // closed at once
            target.serve(connection -> {
                second.add(connection.readCommand());
                second.add(connection.readCommand());
                connection.write("+OK\r\n+OK\r\n");
                second.add(connection.readCommand());
                connection.write("+OK\r\n");
                connection.readCommand(); // until the test ends
            });
            String port = Integer.toString(target.port());
            assertEquals("OK", c.call("MIGRATE", "127.0.0.1", port, "k1", "0", "5000"));
            assertEquals("OK", c.call("MIGRATE", "127.0.0.1", port, "k2", "0", "5000"));
            assertEquals(List.of("SELECT", "0"), second.get(0));
            assertEquals(List.of("RESTORE", "k1"), second.get(1).subList(0, 2));
            assertEquals(List.of("RESTORE", "k2"), second.get(2).subList(0, 2));
            assertEquals(0L, c.call("EXISTS", "k1", "k2"));
        }
    }

    private static Object call(RespClient c, String... args) {
        try {
            return c.call(args);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A loopback server that plays a target: each accepted connection is handed to the next handler given. */
    private static final class FakeTarget implements AutoCloseable {
        interface Handler {
            void handle(Peer peer) throws Exception;
        }

        private final ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        private final List<Handler> handlers = new ArrayList<>();
        private final List<Socket> accepted = new ArrayList<>();
        private final CountDownLatch[] commands = {new CountDownLatch(1), new CountDownLatch(2)};
        private final Thread acceptor = Thread.ofPlatform().daemon().start(this::accept);

        FakeTarget() throws IOException {
        }

        int port() {
            return server.getLocalPort();
        }

        synchronized void serve(Handler handler) {
            handlers.add(handler);
            notifyAll();
        }

        /** Blocks until the connections together have read {@code n} (1 or 2) commands. */
        void awaitCommands(int n) throws InterruptedException {
            assertTrue(commands[n - 1].await(30, TimeUnit.SECONDS), "the target's " + n + " commands");
        }

        private synchronized Handler next() throws InterruptedException {
            while (handlers.isEmpty()) {
                wait();
            }
            return handlers.remove(0);
        }

        private void accept() {
            try {
                while (true) {
                    Socket socket = server.accept();
                    synchronized (this) {
                        accepted.add(socket);
                    }
                    Handler handler = next();
                    Thread.ofPlatform().daemon().start(() -> {
                        try (socket) {
                            handler.handle(new Peer(socket));
                        } catch (Exception endOfTest) {
                            // the test closed the target, or the server closed the connection
                        }
                    });
                }
            } catch (IOException | InterruptedException closed) {
                // the test is over
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            acceptor.interrupt();
            synchronized (this) {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }

        /** One accepted connection: reads RESP commands, writes raw replies. */
        final class Peer {
            private final InputStream in;
            private final OutputStream out;

            Peer(Socket socket) throws IOException {
                in = new BufferedInputStream(socket.getInputStream());
                out = socket.getOutputStream();
            }

            List<String> readCommand() throws IOException {
                int count = Integer.parseInt(line().substring(1));
                List<String> args = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int length = Integer.parseInt(line().substring(1));
                    args.add(new String(in.readNBytes(length), StandardCharsets.ISO_8859_1));
                    line();
                }
                for (CountDownLatch latch : commands) {
                    latch.countDown();
                }
                return args;
            }

            void write(String text) throws IOException {
                out.write(text.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }

            private String line() throws IOException {
                StringBuilder text = new StringBuilder();
                int c;
                while ((c = in.read()) != '\n') {
                    if (c < 0) {
                        throw new IOException("closed");
                    }
                    if (c != '\r') {
                        text.append((char) c);
                    }
                }
                return text.toString();
            }
        }
    }
}
