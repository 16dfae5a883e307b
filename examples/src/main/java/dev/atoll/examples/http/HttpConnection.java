package dev.atoll.examples.http;

import dev.atoll.examples.SwapList;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.Receiver;
import dev.atoll.io.WriteListener;
import dev.atoll.shards.Shard;
import dev.atoll.shards.Timer;

import java.time.Duration;

/**
 * One HTTP connection of the example: parses what each receive delivers and answers every request
 * in it with one outbound buffer and one write (pipelined requests cost one system call per read,
 * not per request). After a request without keep-alive, or a request the parser refused (its
 * error response sent), it half-closes and reads on, discarding, until the peer closes or
 * {@link #LINGER} passes — closing with unread input would reset the connection and could destroy
 * the response on its way.
 *
 * <p>Its deadline, which its shard's {@link HttpConnections} checks, follows what it waits for: the
 * end of a request's head (header timeout from the head's first byte; for the first request, from
 * the accept), the next read of a body (body timeout from the last one), or the next request (keep-
 * alive timeout from the end of the last). Past it, the connection is closed without a response, as
 * nginx does. Runs on the connection's shard only.
 */
final class HttpConnection extends SwapList.Member implements Receiver, WriteListener, HttpRequestParser.Listener {
    /** How long a finished connection waits for the peer to close before closing itself. */
    static final Duration LINGER = Duration.ofSeconds(2);
    /** While lingering, the deadline is out of the way: the linger timer closes the connection. */
    private static final long LINGER_DEADLINE_NANOS = 2 * LINGER.toNanos();

    private static final int MIN_OUT = 2048;

    private final Connection connection;
    private final HttpRequestParser parser;
    private final HelloEndpoints endpoints;
    private final HttpConnections shardConnections;
    private final BufferPool pool = BufferPool.current();
    private Buffer out;
    private int writesInFlight;
    private boolean peerEnded;
    private Timer lingerTimer;
    /** Requests completed by the read being parsed. */
    private int completedInRead;
    /** Waiting for the next request (keep-alive), not in the middle of one. */
    private boolean betweenRequests;
    /** When this connection is closed unless it makes progress first ({@link System#nanoTime()} base). */
    long deadlineNanos;

    HttpConnection(Connection connection, HttpLimits limits, HelloEndpoints endpoints, HttpConnections shardConnections) {
        this.connection = connection;
        this.parser = new HttpRequestParser(limits, HelloEndpoints.PATHS, shardConnections.parseScratch);
        this.endpoints = endpoints;
        this.shardConnections = shardConnections;
        this.deadlineNanos = System.nanoTime() + shardConnections.headerTimeoutNanos;
    }

    @Override
    public void onData(Connection from, Buffer data) {
        if (parser.stopped()) {
            data.release();          // lingering after the last response: input is discarded
            return;
        }
        // Responses are usually a little smaller than their requests; a read of tiny requests that
        // needs more room gets a second buffer (see onRequest).
        out = pool.acquire(Math.min(pool.maxBufferSize(), Math.max(MIN_OUT, 2 * data.readableBytes())));
        completedInRead = 0;
        try {
            parser.parse(data.segment(), data.readIndex(), data.readableBytes(), this);
        } finally {
            data.release();
        }
        send();
        if (parser.stopped()) {
            finish();
        } else {
            moveDeadline();
        }
    }

    /** After a read: the deadline of what the connection now waits for (see the class comment). */
    private void moveDeadline() {
        long now = System.nanoTime();
        if (parser.betweenRequests()) {
            betweenRequests = true;
            deadlineNanos = now + shardConnections.keepAliveTimeoutNanos;
        } else if (parser.readingBody()) {
            betweenRequests = false;
            deadlineNanos = now + shardConnections.bodyTimeoutNanos;
        } else if (betweenRequests || completedInRead > 0) {   // a new head began in this read
            betweenRequests = false;
            deadlineNanos = now + shardConnections.headerTimeoutNanos;
        }
    }

    /** The deadline passed (called by {@link HttpConnections}). */
    void timedOut() {
        close();
    }

    @Override
    public void onRequest(HttpRequest request) {
        completedInRead++;
        reserve();
        out.advanceWriter((int) (endpoints.respond(request, out.segment(), out.writeIndex()) - out.writeIndex()));
    }

    @Override
    public void onError(HttpStatus status) {
        reserve();
        out.advanceWriter((int) (endpoints.respondError(status, out.segment(), out.writeIndex()) - out.writeIndex()));
    }

    @Override
    public void onEnd(Connection from, Throwable failure) {
        peerEnded = true;
        if (failure != null || writesInFlight == 0) {
            close();
        }
        // else: the peer half-closed with responses still on their way; the last write closes.
    }

    /** Makes sure the outbound buffer has room for one more response, sending the full one first. */
    private void reserve() {
        if (out.writableBytes() < HelloEndpoints.MAX_RESPONSE_BYTES) {
            send();
            out = pool.acquire(pool.maxBufferSize());
        }
    }

    /** Writes the outbound buffer (if it holds anything) and lets go of it. */
    private void send() {
        Buffer buffer = out;
        out = null;
        if (buffer.readableBytes() == 0) {
            buffer.release();
            return;
        }
        writesInFlight++;
        connection.writeAll(buffer, this);
    }

    /** A write of {@link #send} ended. */
    @Override
    public void writeDone(Buffer buffer, int bytes, Throwable failure) {
        buffer.release();
        writesInFlight--;
        if (failure != null || (peerEnded && writesInFlight == 0)) {
            close();             // the peer reset or stopped reading past the write backlog; or it is done
        }
    }

    /** No more requests: half-close once the responses are out, then linger for the peer's close. */
    private void finish() {
        if (peerEnded || !connection.isOpen()) {
            return;                  // the last write, or onEnd, closes
        }
        // The end of stream follows the responses still queued. Its outcome needs no handling: a failed
        // shutdown ends in the peer's close or the timer alike.
        connection.shutdownOutput();
        lingerTimer = Shard.current().schedule(LINGER, this::close);
        deadlineNanos = System.nanoTime() + LINGER_DEADLINE_NANOS;   // the linger timer ends it first
    }

    private void close() {
        if (lingerTimer != null) {
            lingerTimer.cancel();
            lingerTimer = null;
        }
        shardConnections.remove(this);
        connection.close();
    }
}
