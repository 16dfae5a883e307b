package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19 ("servers under abuse"), items 1, 5 and 6, end to end with small configured limits: a hostile
 * client gets an error and loses its connection; the shard, and every other client, go on.
 */
class KvInputLimitsTest {
    private static final RespClient.Error STRING_TOO_LONG =
            new RespClient.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

    private static KvSettings settings(KvSettings.InputLimits input) {
        return new KvSettings(false, KvSettings.FsyncPolicy.NO, Path.of("unused"), 64L << 20, 100, 16L << 20, input,
                KvTestServer.OUTPUT, 100, Duration.ZERO, "", true);
    }

    /** Item 1: APPEND refuses to grow a string past proto-max-bulk-len (Redis's check), on every shard. */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void appendStopsAtProtoMaxBulkLen(DriverKind driver) throws Exception {
        int bulk = 64 * 1024;
        try (KvTestServer server = KvTestServer.start(2, driver,
                settings(new KvSettings.InputLimits(bulk, 256 * 1024, 16L << 20)));
             RespClient c = server.client()) {
            for (String key : List.of(keyOf(0), keyOf(1))) { // a key of each shard: inline and batched
                assertEquals("OK", c.call("SET", key, "x".repeat(bulk - 10)));
                assertEquals((long) bulk, c.call("APPEND", key, "y".repeat(10)));
                assertEquals(STRING_TOO_LONG, c.call("APPEND", key, "z"));
                assertEquals((long) bulk, c.call("STRLEN", key), "a refused APPEND changes nothing");
            }
            assertEquals(new RespClient.Error("ERR Protocol error: invalid bulk length"),
                    c.call("APPEND", keyOf(0), "z".repeat(bulk + 1)));
            assertTrue(c.closedByServer());
        }
    }

    /**
     * Item 5: a command of a million arguments arrives in hundreds of reads and is parsed once, resuming
     * where each read ended (the parser's unit test shows no byte is read twice); it is answered, the
     * connection goes on, and the shard lets go of its memory.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void aMillionArgumentsArriveInPiecesAndAreAnswered(DriverKind driver) throws Exception {
        try (KvTestServer server = KvTestServer.start(1, driver, settings(KvTestServer.INPUT));
             RespClient c = server.client(); RespClient bystander = server.client()) {
            long baseline = KvTestServer.queryBuffers(bystander)[0];
            int arguments = 1_000_000;
            ByteArrayOutputStream command = new ByteArrayOutputStream();
            command.writeBytes(bytes("*" + arguments + "\r\n$3\r\nGET\r\n"));
            byte[] argument = bytes("$1\r\nx\r\n");
            for (int i = 1; i < arguments; i++) {
                command.writeBytes(argument);
            }
            command.writeBytes(RespClient.encode("SET", "after", "yes"));
            byte[] all = command.toByteArray();
            for (int at = 0; at < all.length; at += 16 * 1024) {
                c.sendRaw(Arrays.copyOfRange(all, at, Math.min(all.length, at + 16 * 1024)));
            }
            assertEquals(new RespClient.Error("ERR wrong number of arguments for 'get' command"), c.read());
            assertEquals("OK", c.read());
            assertEquals("yes", c.call("GET", "after"));
            assertEquals(baseline, KvTestServer.queryBuffers(bystander)[0], "the shard let go of the command's memory");
        }
    }

    /**
     * Item 6: connections that each hold an unfinished large value may together hold no more than
     * kv.query-buffers-per-shard; the one whose next read would pass it gets -OOM and is closed, the
     * others finish their values, a bystander is served throughout, and the memory comes back.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void unfinishedValuesAreBoundedPerShard(DriverKind driver) throws Exception {
        int value = 1_000_000;
        long budget = 4L << 20;
        try (KvTestServer server = KvTestServer.start(1, driver,
                settings(new KvSettings.InputLimits(1 << 20, 2 << 20, budget)));
             RespClient bystander = server.client()) {
            long baseline = KvTestServer.queryBuffers(bystander)[0];
            byte[] request = RespClient.encode("SET", "k", "v".repeat(value));
            int sent = 700_000;
            List<RespClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    RespClient c = server.client();
                    clients.add(c);
                    long before = KvTestServer.queryBuffers(bystander)[0];
                    boolean open = send(c, Arrays.copyOf(request, sent));
                    // Each one's bytes are taken in, or refused, before the next one sends: a fixed order.
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    long held;
                    while ((held = KvTestServer.queryBuffers(bystander)[0]) < before + sent && open && !c.replied()) {
                        assertTrue(System.nanoTime() < deadline, "client " + i + " neither held nor refused");
                        Thread.sleep(5);
                    }
                    assertTrue(held <= budget, held + " bytes held past the bound of " + budget);
                }
                assertEquals("PONG", bystander.call("PING"));
                int served = 0;
                for (RespClient c : clients) {
                    send(c, Arrays.copyOfRange(request, sent, request.length));
                    Object reply = c.read();
                    if (reply.equals("OK")) {
                        served++;
                    } else {
                        assertEquals(new RespClient.Error("OOM command not allowed when query buffers > "
                                + "'kv.query-buffers-per-shard' (" + budget + " bytes)"), reply);
                        assertTrue(c.closedByServer());
                    }
                }
                assertEquals(4, served, "4 values of 1 MB fit in 4 MiB; the others are refused");
            } finally {
                for (RespClient c : clients) {
                    c.close();
                }
            }
            assertEquals(value, ((String) bystander.call("GET", "k")).length());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (KvTestServer.queryBuffers(bystander)[0] != baseline) {
                assertTrue(System.nanoTime() < deadline, "closed connections' memory never came back");
                Thread.sleep(10);
            }
            try (RespClient c = server.client()) {
                assertEquals("OK", c.call("SET", "k2", "w".repeat(value)));
            }
        }
    }

    /** Sends {@code bytes}; false when the server closed the connection meanwhile (its reply is still to be read). */
    private static boolean send(RespClient c, byte[] bytes) {
        try {
            c.sendRaw(bytes);
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    /** A key that shard {@code shard} of two owns. */
    private static String keyOf(int shard) {
        for (int i = 0; ; i++) {
            byte[] key = bytes("key" + i);
            if (KeySlots.owner(key, 0, key.length, 2) == shard) {
                return "key" + i;
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
