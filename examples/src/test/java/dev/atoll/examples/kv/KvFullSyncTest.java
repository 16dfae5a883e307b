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
 * {@code dump.rdb} while it is sent.
 */
class KvFullSyncTest {
    @TempDir
    Path dir;

    static Stream<DriverKind> drivers() {
        return TestRuntimes.drivers();
    }

    /** A raw replica: the connection, its input and what it read of the sync's reply. */
    static final class RawReplica implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;

        RawReplica(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = new DataInputStream(socket.getInputStream());
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
            fill(jedis, "k", 3000, 2048); // about 6 MB: many buffers of 64 KiB
            try (RawReplica replica = new RawReplica(server.port())) {
                replica.send("REPLCONF", "capa", "eof", "capa", "psync2");
                assertEquals("+OK", replica.line());
                replica.send("PSYNC", "?", "-1");
                assertTrue(replica.line().startsWith("+FULLRESYNC "), "the full sync's line");
                String header = replica.line();
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
}
