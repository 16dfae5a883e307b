package dev.atoll.examples.metrics;

import dev.atoll.examples.http.HttpLimits;
import dev.atoll.examples.http.HttpRequest;
import dev.atoll.examples.http.HttpRequestParser;
import dev.atoll.examples.http.HttpResponseWriter;
import dev.atoll.examples.http.HttpStatus;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.Receiver;
import dev.atoll.io.WriteListener;
import dev.atoll.shards.Metric;
import dev.atoll.shards.PrometheusText;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One scrape connection: parses the request with the http example's parser, answers its first
 * request ({@code GET} or {@code HEAD /metrics}: 200 with the text; another path 404; another method
 * 405) with {@code Connection: close}, then closes once the response is out. The body may exceed one
 * pool buffer: it goes out in as many writes as it needs, in order.
 */
final class MetricsConnection implements Receiver, HttpRequestParser.Listener, WriteListener {
    private static final byte[] CONTENT_TYPE = ("Content-Type: " + PrometheusText.CONTENT_TYPE + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = new byte[0];

    private final Connection connection;
    private final HttpResponseWriter writer;
    private final List<Metric> metrics;
    private final int shards;
    private final HttpRequestParser parser = new HttpRequestParser(HttpLimits.DEFAULTS, List.of("/metrics"));
    private boolean answered;
    private int writesInFlight;

    MetricsConnection(Connection connection, HttpResponseWriter writer, List<Metric> metrics, int shards) {
        this.connection = connection;
        this.writer = writer;
        this.metrics = metrics;
        this.shards = shards;
    }

    @Override
    public void onData(Connection c, Buffer data) {
        try {
            if (!answered) {
                parser.parse(data.segment(), data.readIndex(), data.readableBytes(), this);
            }
        } finally {
            data.release();
        }
    }

    @Override
    public void onEnd(Connection c, Throwable failure) {
        if (!answered || writesInFlight == 0) {
            connection.close();
        }
    }

    @Override
    public void onRequest(HttpRequest request) {
        if (answered) {
            return;   // one request per connection: the response says Connection: close
        }
        boolean head = request.method() == HttpRequest.Method.HEAD;
        if (request.method() == HttpRequest.Method.OTHER) {
            respond(HttpStatus.METHOD_NOT_ALLOWED, EMPTY, true);
        } else if (request.route() != 0) {
            respond(HttpStatus.NOT_FOUND, EMPTY, !head);
        } else {
            String text = PrometheusText.write(metrics, shards, new StringBuilder(4096)).toString();
            respond(HttpStatus.OK, text.getBytes(StandardCharsets.UTF_8), !head);
        }
    }

    @Override
    public void onError(HttpStatus status) {
        if (!answered) {
            respond(status, EMPTY, true);
        }
    }

    /** Sends the head (with the body's length) and, unless {@code withBody} is false, the body in pool-sized parts. */
    private void respond(HttpStatus status, byte[] body, boolean withBody) {
        answered = true;
        BufferPool pool = BufferPool.current();
        Buffer out = pool.acquire(HttpResponseWriter.MAX_HEAD_BYTES);
        long end = writer.write(out.segment(), out.writeIndex(), status, CONTENT_TYPE, body, body.length, false,
                HttpResponseWriter.Connection.CLOSE);
        out.advanceWriter((int) (end - out.writeIndex()));
        send(out);
        for (int at = 0; withBody && at < body.length; ) {
            int part = Math.min(pool.maxBufferSize(), body.length - at);
            send(pool.acquire(part).writeBytes(body, at, part));
            at += part;
        }
    }

    private void send(Buffer buffer) {
        writesInFlight++;
        connection.writeAll(buffer, this);
    }

    @Override
    public void writeDone(Buffer buffer, int bytes, Throwable failure) {
        buffer.release();
        if (--writesInFlight == 0 || failure != null) {
            connection.close();
        }
    }
}
