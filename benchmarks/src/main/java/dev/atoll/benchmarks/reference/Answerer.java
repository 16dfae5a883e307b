package dev.atoll.benchmarks.reference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The buffers of one connection of {@link NioReferenceServer} and what it does with its input: in
 * {@code http} mode a canned response per request (a request ends with its blank line; nothing else is
 * parsed, and the sixth byte, {@code GET /j}, picks the JSON body), in echo mode the input itself.
 * Input the output buffer has no room for stays until the socket takes the output.
 */
final class Answerer {
    private static final byte[] TERMINATOR = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** The canned responses of {@code http} mode, refreshed by the loop once a second (the Date header). */
    interface Responses {
        byte[] plaintext();

        byte[] json();
    }

    private final boolean http;
    private final Responses responses;
    private final int room;
    private final ByteBuffer in;
    private final ByteBuffer out;
    /** How many bytes of the blank line that ends a request were seen last. */
    private int matched;
    /** Bytes of the current request seen so far. */
    private int offset;
    private boolean wantsJson;

    /**
     * @param room the largest response: the output buffer is written out before it has less free space
     */
    Answerer(boolean http, Responses responses, int bufferSize, int room) {
        this.http = http;
        this.responses = responses;
        this.room = room;
        this.in = ByteBuffer.allocateDirect(bufferSize);
        this.out = ByteBuffer.allocateDirect(bufferSize);
    }

    /** Reads what the channel has, as far as the input buffer has room; -1 at its end. */
    int read(ReadableByteChannel channel) throws IOException {
        return channel.read(in);
    }

    /** Answers all input kept so far and writes to {@code channel}; false when it did not take everything. */
    boolean answer(WritableByteChannel channel) throws IOException {
        in.flip();
        try {
            while (in.hasRemaining()) {
                if (out.remaining() < room && !drain(channel)) {
                    return false;
                }
                if (http) {
                    scan();
                } else {
                    int n = Math.min(in.remaining(), out.remaining());
                    out.put(out.position(), in, in.position(), n);
                    out.position(out.position() + n);
                    in.position(in.position() + n);
                }
            }
            return drain(channel);
        } finally {
            in.compact();
        }
    }

    /** Takes input up to the end of one request (or of the input) and queues the response of a finished one. */
    private void scan() {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (offset++ == 5) {
                wantsJson = b == 'j';
            }
            matched = b == TERMINATOR[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == TERMINATOR.length) {
                out.put(wantsJson ? responses.json() : responses.plaintext());
                matched = 0;
                offset = 0;
                return;
            }
        }
    }

    /** Writes what is queued; true when all of it went. */
    private boolean drain(WritableByteChannel channel) throws IOException {
        if (out.position() == 0) {
            return true;
        }
        out.flip();
        channel.write(out);
        boolean all = !out.hasRemaining();
        out.compact();
        return all;
    }
}
