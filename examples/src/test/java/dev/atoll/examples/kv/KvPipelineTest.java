package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Commands cut across reads and deep pipelines: every reply checked, on every driver, with one and two shards. */
class KvPipelineTest {

    /**
     * Issue 14, item 4: a command cut in its middle, then its rest with about 4 KiB of complete
     * commands ending in another cut command, then a larger write. The partial command is kept at an
     * offset of its input array when the third read arrives; growing that array must keep all of it.
     * The replies to the first two writes are read before the next write, so each write is its own read.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.examples.StreamFuzz#driversAndShards")
    void aCommandCutAcrossThreeReadsIsServed(DriverKind driver, int shards) throws Exception {
        try (KvTestServer server = KvTestServer.start(shards, driver, KvTestServer.settings(null,
                KvSettings.FsyncPolicy.NO))) {
            for (int third : new int[] {8 * 1024, 12 * 1024, 20 * 1024, 40 * 1024}) {
                try (RespClient c = server.client()) {
                    String prefix = "t" + third + ":";
                    byte[] first = RespClient.encode("SET", prefix + "first", "value-of-first");
                    int firstCut = first.length / 2;
                    c.sendRaw(concat(RespClient.encode("PING"), Arrays.copyOf(first, firstCut)));
                    assertEquals("PONG", c.read());

                    Pipeline second = new Pipeline(prefix + "a", 4 * 1024);
                    byte[] cut = RespClient.encode("SET", prefix + "cut", "value-of-cut");
                    int secondCut = cut.length / 2;
                    c.sendRaw(concat(Arrays.copyOfRange(first, firstCut, first.length), second.bytes(),
                            Arrays.copyOf(cut, secondCut)));
                    assertEquals("OK", c.read(), "the first cut command");
                    second.readReplies(c);

                    Pipeline rest = new Pipeline(prefix + "b", third);
                    c.sendRaw(concat(Arrays.copyOfRange(cut, secondCut, cut.length), rest.bytes()));
                    assertEquals("OK", c.read(), "the second cut command, third write of " + third);
                    rest.readReplies(c);
                    assertEquals("value-of-first", c.call("GET", prefix + "first"));
                    assertEquals("value-of-cut", c.call("GET", prefix + "cut"));
                }
            }
        }
    }

    /**
     * Issue 14, item 5: 100,000 inline {@code SET key:i v_i} and {@code GET key:i} written before any
     * reply is read (a writer thread, so that neither side's socket buffer can deadlock the test),
     * each of the 200,000 replies checked.
     */
    @ParameterizedTest
    @MethodSource("dev.atoll.examples.StreamFuzz#driversAndShards")
    void everyReplyOfADeepInlinePipelineIsRight(DriverKind driver, int shards) throws Exception {
        int n = 100_000;
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            stream.writeBytes(("SET key:" + i + " v_" + i + "\r\nGET key:" + i + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        byte[] pipeline = stream.toByteArray();
        try (KvTestServer server = KvTestServer.start(shards, driver, KvTestServer.settings(null,
                KvSettings.FsyncPolicy.NO));
             RespClient c = server.client()) {
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    c.sendRaw(pipeline);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                written.get(5, TimeUnit.SECONDS); // all written before reading, when the buffers take it
            } catch (TimeoutException e) {
                // the socket buffers are full: read, the writer goes on
            }
            for (int i = 0; i < n; i++) {
                assertEquals("OK", c.read(), "the reply to SET key:" + i);
                assertEquals("v_" + i, c.read(), "the reply to GET key:" + i);
            }
            try {
                written.get(TestRuntimes.WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError("writing the pipeline failed", e.getCause());
            }
            assertEquals("PONG", c.call("PING"));
        }
    }

    /** Complete {@code SET}/{@code GET} pairs of about {@code size} bytes in all, and their replies. */
    private static final class Pipeline {
        private final String prefix;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int pairs;

        Pipeline(String prefix, int size) {
            this.prefix = prefix;
            while (bytes.size() < size) {
                bytes.writeBytes(RespClient.encode("SET", prefix + pairs, "v" + pairs));
                bytes.writeBytes(RespClient.encode("GET", prefix + pairs));
                pairs++;
            }
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

        void readReplies(RespClient c) throws Exception {
            for (int i = 0; i < pairs; i++) {
                assertEquals("OK", c.read(), "SET " + prefix + i);
                assertEquals("v" + i, c.read(), "GET " + prefix + i);
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            b.writeBytes(part);
        }
        return b.toByteArray();
    }
}
