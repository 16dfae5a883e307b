package dev.atoll.benchmarks.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * One selector thread of {@link NioReferenceServer}: reads what is ready, answers it ({@link Answerer})
 * and writes the answers once per read; a connection whose output the socket does not take waits for
 * {@code OP_WRITE} with its reads stopped (and its unanswered input kept).
 */
final class NioLoop implements Runnable {
    private static final int BUFFER = 64 * 1024;
    /** More than either canned response (about 150 bytes with its headers). */
    private static final int MAX_RESPONSE = 512;
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final boolean http;
    private final Selector selector;
    private final Queue<SocketChannel> adopted = new ConcurrentLinkedQueue<>();
    private final CannedResponses responses = new CannedResponses();

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
                responses.refresh();
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
    private static final class CannedResponses implements Answerer.Responses {
        private long second = Long.MIN_VALUE;
        private byte[] plaintext;
        private byte[] json;

        void refresh() {
            long now = Math.floorDiv(System.currentTimeMillis(), 1000);
            if (now != second) {
                second = now;
                String date = IMF_FIXDATE.format(Instant.ofEpochSecond(now));
                plaintext = response(date, "text/plain", "Hello, World!");
                json = response(date, "application/json", "{\"message\":\"Hello, World!\"}");
            }
        }

        private static byte[] response(String date, String type, String body) {
            return ("HTTP/1.1 200 OK\r\nServer: nio\r\nDate: " + date + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] plaintext() {
            return plaintext;
        }

        @Override
        public byte[] json() {
            return json;
        }
    }

    /** One connection: its channel, its key and its {@link Answerer}. */
    private final class Connection {
        private final SocketChannel channel;
        private final SelectionKey key;
        private final Answerer answerer = new Answerer(http, responses, BUFFER, MAX_RESPONSE);
        private boolean blocked;

        Connection(SocketChannel channel, SelectionKey key) {
            this.channel = channel;
            this.key = key;
        }

        void onReady() throws IOException {
            if (blocked) {
                if (answerer.answer(channel)) {
                    blocked = false;
                    key.interestOps(SelectionKey.OP_READ);
                }
                return;
            }
            if (answerer.read(channel) < 0) {
                close();
                return;
            }
            if (!answerer.answer(channel)) {
                blocked = true;
                key.interestOps(SelectionKey.OP_WRITE);
            }
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
