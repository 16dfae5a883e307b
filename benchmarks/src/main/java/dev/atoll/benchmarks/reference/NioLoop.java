package dev.atoll.benchmarks.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread of {@link NioReferenceServer}: reads what is ready, answers it into the
 * connection's output buffer and writes that once per read; a connection whose output the socket
 * does not take waits for {@code OP_WRITE} with its reads stopped (and its unanswered input kept).
 */
final class NioLoop implements Runnable {
    private static final int BUFFER = 64 * 1024;
    private static final byte[] TERMINATOR = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final boolean http;
    private final Selector selector;
    private final Queue<SocketChannel> adopted = new ConcurrentLinkedQueue<>();
    private long responseSecond = Long.MIN_VALUE;
    private byte[] plaintext;
    private byte[] json;

    NioLoop(boolean http) throws IOException {
        this.http = http;
        this.selector = Selector.open();
    }

    /** Hands an accepted connection to this loop (from the acceptor thread). */
    void adopt(SocketChannel channel) {
        adopted.add(channel);
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (true) {
                selector.select();
                for (SocketChannel channel; (channel = adopted.poll()) != null; ) {
                    channel.configureBlocking(false);
                    SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                    key.attach(new Connection(channel, key));
                }
                refreshResponses();
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection connection = (Connection) key.attachment();
                    try {
                        connection.onReady();
                    } catch (IOException e) {
                        connection.close();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The canned responses, with a {@code Date} formatted once a second. */
    private void refreshResponses() {
        long second = Math.floorDiv(System.currentTimeMillis(), 1000);
        if (second != responseSecond) {
            responseSecond = second;
            String date = IMF_FIXDATE.format(Instant.ofEpochSecond(second));
            plaintext = response(date, "text/plain", "Hello, World!");
            json = response(date, "application/json", "{\"message\":\"Hello, World!\"}");
        }
    }

    private static byte[] response(String date, String type, String body) {
        return ("HTTP/1.1 200 OK\r\nServer: nio\r\nDate: " + date + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    /** One connection: its buffers and where it is in the current request. */
    private final class Connection {
        private final SocketChannel channel;
        private final SelectionKey key;
        private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
        private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
        /** How many bytes of the blank line that ends a request were seen last. */
        private int matched;
        /** Bytes of the current request seen so far: its sixth byte tells {@code GET /json} from the rest. */
        private int offset;
        private boolean wantsJson;
        private boolean blocked;

        Connection(SocketChannel channel, SelectionKey key) {
            this.channel = channel;
            this.key = key;
        }

        void onReady() throws IOException {
            if (blocked) {
                if (answer()) {
                    blocked = false;
                    key.interestOps(SelectionKey.OP_READ);
                }
                return;
            }
            if (channel.read(in) < 0) {
                close();
                return;
            }
            if (!answer()) {
                blocked = true;
                key.interestOps(SelectionKey.OP_WRITE);
            }
        }

        /** Answers the input read so far and writes; false when the socket did not take all of it. */
        private boolean answer() throws IOException {
            in.flip();
            try {
                while (in.hasRemaining()) {
                    if (out.remaining() < Math.max(plaintext.length, json.length) && !drain()) {
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
                return drain();
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
                    out.put(wantsJson ? json : plaintext);
                    matched = 0;
                    offset = 0;
                    return;
                }
            }
        }

        /** Writes what is queued; true when all of it went. */
        private boolean drain() throws IOException {
            if (out.position() == 0) {
                return true;
            }
            out.flip();
            channel.write(out);
            boolean all = !out.hasRemaining();
            out.compact();
            return all;
        }

        void close() {
            key.cancel();
            try {
                channel.close();
            } catch (IOException e) {
                // closing a broken connection: nothing left to do
            }
        }
    }
}
