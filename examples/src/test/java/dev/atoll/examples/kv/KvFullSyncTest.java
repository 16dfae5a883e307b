package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static dev.atoll.examples.kv.ReplicationProbes.await;
import static dev.atoll.examples.kv.ReplicationProbes.infoField;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full sync as a replica's socket sees it, on every driver available: the disk-based sync's file is the bytes of the
 * RDB file the sync wrote, read through {@code AsyncFile} a buffer at a time, whatever a later BGSAVE renames over
 * {@code dump.rdb} while it is sent; a diskless sync's RDB comes framed by its end mark, writes no file, loads into
 * another server with every key, and waits for a replica that does not read (its output stays bounded); a replica
 * that reads nothing of the stream is dropped once past its output limit.
 */
class KvFullSyncTest {
    @TempDir
    Path dir;
    @TempDir
    Path loadDir;
    private final LogCapture log = new LogCapture(ReplicaLink.class);

    @org.junit.jupiter.api.BeforeEach
    void capture() {
        log.start();
    }

    @org.junit.jupiter.api.AfterEach
    void release() {
        log.stop();
    }

    static Stream<DriverKind> drivers() {
        return TestRuntimes.drivers();
    }

    /** A raw replica: the connection, its input and what it read of the sync's reply. */
    static final class RawReplica implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        /** Under {@link #in}: what a read past the RDB's end mark took is put back. */
        private final java.io.PushbackInputStream unread;
        final OutputStream out;

        RawReplica(int port) throws IOException {
            socket = new Socket();
            socket.setReceiveBufferSize(16 * 1024); // a slow reader: the kernel holds little for it
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(30_000);
            unread = new java.io.PushbackInputStream(socket.getInputStream(), 1 << 20);
            in = new DataInputStream(unread);
            out = socket.getOutputStream();
        }

        void send(String... words) throws IOException {
            StringBuilder b = new StringBuilder("*").append(words.length).append("\r\n");
            for (String w : words) {
                b.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
            }
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** REPLCONF capa eof capa psync2, PSYNC ? -1 and its +FULLRESYNC line, as redis-server 7 asks; the RDB's header line. */
        String fullSync() throws IOException {
            send("REPLCONF", "capa", "eof", "capa", "psync2");
            assertEquals("+OK", line());
            send("PSYNC", "?", "-1");
            assertTrue(line().startsWith("+FULLRESYNC "), "the full sync's line");
            return line();
        }

        /** The next line without its CRLF; the newlines a master sends while its replica waits are skipped. */
        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    if (b.size() == 0) {
                        continue; // a keep-alive newline
                    }
                    break;
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.US_ASCII);
        }

        byte[] bytes(long n) throws IOException {
            byte[] b = new byte[Math.toIntExact(n)];
            in.readFully(b);
            return b;
        }

        /** A diskless sync's RDB after its {@code $EOF:<mark>} line: the bytes up to the mark, which ends it. */
        byte[] untilMark(byte[] mark) throws IOException {
            byte[] all = new byte[1 << 20];
            int size = 0;
            while (true) {
                if (size == all.length) {
                    all = Arrays.copyOf(all, all.length * 2);
                }
                int n;
                try {
                    n = in.read(all, size, all.length - size);
                } catch (java.net.SocketTimeoutException e) {
                    throw new IOException("no end mark after " + size + " bytes of the RDB, ending "
                            + new String(all, Math.max(0, size - 60), Math.min(size, 60), StandardCharsets.ISO_8859_1), e);
                }
                if (n < 0) {
                    throw new IOException("the connection ended after " + size + " bytes of the RDB");
                }
                for (int at = Math.max(0, size - mark.length + 1); at + mark.length <= size + n; at++) {
                    if (Arrays.equals(all, at, at + mark.length, mark, 0, mark.length)) {
                        unread.unread(all, at + mark.length, size + n - at - mark.length); // the stream's first bytes
                        return Arrays.copyOf(all, at);
                    }
                }
                size += n;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** {@code count} keys of {@code size} random (incompressible) bytes each, pipelined. */
    static void fill(Jedis jedis, String prefix, int count, int size) {
        Random random = new Random(42);
        Pipeline p = jedis.pipelined();
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[size];
            random.nextBytes(value);
            p.set((prefix + i).getBytes(StandardCharsets.UTF_8), value);
        }
        p.sync();
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void theReplicaGetsTheBytesOfTheSyncsFileEvenWhenABgsaveRenamesAnotherOverIt(DriverKind driver) throws Exception {
        TestRuntimes.assumeAvailable(driver);
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        try (KvTestServer server = KvTestServer.start(2, driver, settings);
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals("OK", jedis.configSet("repl-diskless-sync", "no"));
            fill(jedis, "k", 3000, 2048); // about 6 MB: many buffers of 64 KiB
            try (RawReplica replica = new RawReplica(server.port())) {
                String header = replica.fullSync();
                assertTrue(header.startsWith("$") && !header.startsWith("$EOF:"), header);
                long size = Long.parseLong(header.substring(1));
                byte[] expected = Files.readAllBytes(dir.resolve("dump.rdb"));
                assertEquals(expected.length, size, "the length sent is the file's");
                // while the replica reads nothing, another save renames a different file over dump.rdb
                fill(jedis, "other", 500, 2048);
                long saves = Long.parseLong(infoField(jedis, "persistence", "rdb_saves"));
                assertEquals("Background saving started", jedis.bgsave());
                await("the BGSAVE's end", () -> Long.parseLong(infoField(jedis, "persistence", "rdb_saves")) > saves);
                assertTrue(Files.size(dir.resolve("dump.rdb")) > size, "dump.rdb is another file now");
                byte[] got = replica.bytes(size);
                assertTrue(Arrays.equals(expected, got), "the replica got the bytes of the sync's file ("
                        + size + " bytes; first difference at " + Arrays.mismatch(expected, got) + ")");
                // then the stream: SELECT 0 and the writes after the sync
                jedis.set("after", "v");
                assertEquals("*2", replica.line());
                assertEquals("$6", replica.line());
                assertEquals("SELECT", replica.line());
                await("the sync's second name removed", () -> {
                    try (Stream<Path> files = Files.list(dir)) {
                        return files.noneMatch(f -> f.getFileName().toString().endsWith("-sync.rdb"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** The omem CLIENT LIST shows for the replica's connection (flags=S). */
    private static long replicaOutput(Jedis jedis) {
        for (String line : jedis.clientList().split("\n")) {
            if (line.contains(" flags=S ")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(" omem=(\\d+)").matcher(line);
                assertTrue(m.find(), line);
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no replica in CLIENT LIST: " + jedis.clientList());
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void aDisklessSyncStreamsTheSnapshotFramedByItsMarkWaitingForTheReplicaAndWritesNoFile(DriverKind driver)
            throws Exception {
        TestRuntimes.assumeAvailable(driver);
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        try (KvTestServer server = KvTestServer.start(2, driver, settings);
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals("OK", jedis.configSet("repl-diskless-sync-delay", "0"));
            fill(jedis, "k", 10_000, 2048); // about 20 MB
            try (RawReplica replica = new RawReplica(server.port())) {
                String header = replica.fullSync();
                assertTrue(header.startsWith("$EOF:") && header.length() == 5 + 40, header);
                // the replica reads nothing more for a while: the transfer waits for it, its output stays bounded
                long deadline = System.nanoTime() + 1_000_000_000L;
                long most = 0;
                while (System.nanoTime() < deadline) {
                    most = Math.max(most, replicaOutput(jedis));
                    Thread.sleep(50);
                }
                assertTrue(most < 4L << 20, "the replica's output held " + most + " bytes of a 20 MB RDB");
                assertEquals("1", infoField(jedis, "persistence", "rdb_bgsave_in_progress"), "the transfer waits");
                byte[] rdb = replica.untilMark(header.substring(5).getBytes(StandardCharsets.US_ASCII));
                assertEquals("REDIS0010", new String(rdb, 0, 9, StandardCharsets.US_ASCII));
                assertTrue(rdb.length > 20_000_000, rdb.length + " bytes");
                jedis.set("after", "v");
                replica.send("REPLCONF", "ACK", "0"); // as a replica once it loaded the RDB: the stream starts then
                assertEquals("*2", replica.line());
                assertEquals("$6", replica.line());
                assertEquals("SELECT", replica.line());
                assertTrue(Files.notExists(dir.resolve("dump.rdb")), "no file written");
                assertEquals("0", infoField(jedis, "persistence", "rdb_saves"));
                // the bytes are an RDB of every key: another server loads them
                Files.write(loadDir.resolve("dump.rdb"), rdb);
                try (KvTestServer loaded = KvTestServer.start(1, driver, KvTestServer.settings(loadDir, KvSettings.FsyncPolicy.NO));
                     Jedis other = new Jedis(loaded.host, loaded.port())) {
                    assertEquals(10_000L, other.dbSize());
                    for (int i = 0; i < 10_000; i += 97) {
                        byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
                        assertArrayEquals(jedis.get(key), other.get(key), "k" + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "repl-diskless-sync {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"no", "yes"})
    void aReplicaThatReadsNothingIsDroppedPastItsOutputLimit(String diskless) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings);
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals("OK", jedis.configSet("repl-diskless-sync", diskless));
            assertEquals("OK", jedis.configSet("repl-diskless-sync-delay", "0"));
            assertEquals("OK", jedis.configSet("client-output-buffer-limit", "replica 1mb 0 0"));
            assertEquals(java.util.Map.of("client-output-buffer-limit", "normal " + KvTestServer.OUTPUT.hardLimit() + " "
                    + KvTestServer.OUTPUT.softLimit() + " " + KvTestServer.OUTPUT.softSeconds()
                    + " slave 1048576 0 0 pubsub 33554432 8388608 60"), jedis.configGet("client-output-buffer-limit"));
            fill(jedis, "k", 2000, 2048);
            try (RawReplica replica = new RawReplica(server.port())) {
                replica.send("REPLCONF", "capa", "eof");
                assertEquals("+OK", replica.line());
                replica.send("PSYNC", "?", "-1");
                // it reads nothing more: the stream the writes make piles up for it until the limit drops it
                await("the replica", () -> "1".equals(infoField(jedis, "replication", "connected_slaves")));
                byte[] value = new byte[16 * 1024];
                for (int i = 0; i < 1000 && "1".equals(infoField(jedis, "replication", "connected_slaves")); i++) {
                    jedis.set(("w" + i).getBytes(StandardCharsets.UTF_8), value);
                }
                await("the replica dropped", () -> "0".equals(infoField(jedis, "replication", "connected_slaves")));
                assertEquals("1", infoField(jedis, "stats", "client_output_buffer_limit_disconnections"));
                log.assertLogged("for overcoming of output buffer limits", "client-output-buffer-limit replica 1048576");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void configSetReplBacklogSizeKeepsTheLastBytesThatFitAndAPartialResyncGetsThem() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.NO);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings);
             Jedis jedis = new Jedis(server.host, server.port())) {
            assertEquals("OK", jedis.configSet("repl-diskless-sync", "no"));
            try (RawReplica replica = new RawReplica(server.port())) {
                replica.send("PSYNC", "?", "-1");
                String[] fullResync = replica.line().split(" ");
                String replid = fullResync[1];
                long syncOffset = Long.parseLong(fullResync[2]);
                replica.bytes(Long.parseLong(replica.line().substring(1))); // the file
                for (int i = 0; i < 200; i++) {
                    jedis.set("k" + i, "v".repeat(200)); // about 50 KB of stream, more than 16k
                }
                long records = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".length();
                for (int i = 0; i < 200; i++) {
                    String key = "k" + i;
                    records += ("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$200\r\n").length() + 200 + 2;
                }
                long end = syncOffset + records;
                await("the writes in the stream", () -> Long.parseLong(infoField(jedis, "replication", "master_repl_offset")) == end);
                byte[] stream = replica.bytes(end - syncOffset);
                assertEquals("1048576", infoField(jedis, "replication", "repl_backlog_size"));
                assertEquals(Long.toString(end - syncOffset), infoField(jedis, "replication", "repl_backlog_histlen"));

                assertEquals("OK", jedis.configSet("repl-backlog-size", "1"));
                assertEquals(java.util.Map.of("repl-backlog-size", "16384"), jedis.configGet("repl-backlog-size"));
                await("the backlog resized", () -> "16384".equals(infoField(jedis, "replication", "repl_backlog_histlen")));
                assertEquals("16384", infoField(jedis, "replication", "repl_backlog_size"));
                long first = end - 16384 + 1;
                assertEquals(Long.toString(first), infoField(jedis, "replication", "repl_backlog_first_byte_offset"));
                try (RawReplica second = new RawReplica(server.port())) {
                    second.send("PSYNC", replid, Long.toString(first));
                    assertEquals("+CONTINUE " + replid, second.line());
                    assertArrayEquals(Arrays.copyOfRange(stream, stream.length - 16384, stream.length), second.bytes(16384),
                            "the last 16384 bytes of the stream");
                }
                assertEquals("OK", jedis.configSet("repl-backlog-size", "1mb"));
                jedis.set("grown", "v");
                await("the backlog grown", () -> Long.parseLong(infoField(jedis, "replication", "repl_backlog_histlen")) > 16384);
                assertEquals(Long.toString(first), infoField(jedis, "replication", "repl_backlog_first_byte_offset"),
                        "a larger backlog keeps every byte it held");
                try (RawReplica third = new RawReplica(server.port())) {
                    third.send("PSYNC", replid, Long.toString(first - 1));
                    assertTrue(third.line().startsWith("+FULLRESYNC "), "a byte before the backlog: a full sync");
                }
            }
        }
    }
}
