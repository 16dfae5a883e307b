package dev.atoll.benchmarks.reference;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnswererTest {
    private static final Answerer.Responses CANNED = new Answerer.Responses() {
        @Override
        public byte[] plaintext() {
            return "P;".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] json() {
            return "J;".getBytes(StandardCharsets.US_ASCII);
        }
    };
    private static final String PLAINTEXT = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";
    private static final String JSON = "GET /json HTTP/1.1\r\nHost: localhost\r\n\r\n";

    /** A socket that takes at most {@code limit} bytes a write. */
    private static final class Sink implements WritableByteChannel {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        int limit;

        Sink(int limit) {
            this.limit = limit;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(limit, src.remaining());
            for (int i = 0; i < n; i++) {
                taken.write(src.get());
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static void feed(Answerer answerer, String piece) throws IOException {
        assertEquals(piece.length(), answerer.read(Channels.newChannel(new ByteArrayInputStream(piece.getBytes(StandardCharsets.US_ASCII)))));
    }

    @Test
    void requestsSplitAnywhereAreAnsweredOnceEachWithTheBodyTheirPathAsksFor() throws IOException {
        Answerer answerer = new Answerer(true, CANNED, 1024, 8);
        Sink sink = new Sink(Integer.MAX_VALUE);
        String all = PLAINTEXT + JSON + PLAINTEXT;
        int[] cuts = {PLAINTEXT.length() - 3, PLAINTEXT.length() + 5, PLAINTEXT.length() + 6, all.length()};
        int from = 0;
        for (int cut : cuts) {
            feed(answerer, all.substring(from, cut));
            assertTrue(answerer.answer(sink));
            from = cut;
        }
        assertEquals("P;J;P;", sink.taken.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void inputThatFindsNoRoomWaitsUntilTheSocketTakesTheOutput() throws IOException {
        Answerer answerer = new Answerer(true, CANNED, 64, 8);
        Sink sink = new Sink(0);
        byte[] requests = "GET / HTTP/1.1\r\n\r\n".repeat(40).getBytes(StandardCharsets.US_ASCII);
        ByteArrayInputStream source = new ByteArrayInputStream(requests);
        var channel = Channels.newChannel(source);
        // the socket takes nothing: answers fill the output (28 of them), the rest of the input waits
        while (answerer.read(channel) > 0) {
            answerer.answer(sink);
        }
        assertFalse(answerer.answer(sink), "the socket took nothing yet");
        sink.limit = 7;
        int rounds = 0;
        boolean done = false;
        while (!done) {
            answerer.read(channel);
            done = answerer.answer(sink) && source.available() == 0;
            assertTrue(rounds++ < 10_000);
        }
        assertEquals("P;".repeat(40), sink.taken.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void echoModeWritesBackEveryByteThroughAStingySocket() throws IOException {
        Answerer answerer = new Answerer(false, CANNED, 64, 8);
        Sink sink = new Sink(3);
        byte[] message = new byte[10_000];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) (i * 31);
        }
        ByteArrayInputStream source = new ByteArrayInputStream(message);
        var channel = Channels.newChannel(source);
        int rounds = 0;
        while (source.available() > 0 || !answerer.answer(sink)) {
            answerer.read(channel);
            answerer.answer(sink);
            assertTrue(rounds++ < 100_000);
        }
        assertArrayEquals(message, sink.taken.toByteArray());
    }
}
