package dev.atoll.cluster;

import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.Receiver;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One local shard's connection to one shard of one remote node incarnation, and the frames waiting
 * for it. Confined to its shard. A state machine: CONNECTING (TCP connect), HANDSHAKING (waiting for
 * the remote node's acknowledgement that the connection reached the target shard), OPEN, CLOSED.
 *
 * <p>Batching: a tell only queues its frame; the first frame queued while nothing is being written
 * schedules one flush task, which runs after the shard's current tasks and writes every frame queued
 * by then in one buffer (one write per connection per loop iteration while the peer keeps up). At
 * most one write is in flight; frames queued meanwhile wait for its completion.
 *
 * <p>Bounded: beyond {@code atoll.cluster.outbound-queue} waiting frames a tell is a dead letter. A
 * connection that fails or closes turns the frames still waiting into dead letters; the next tell to
 * that node opens a new link (if the node is still a member).
 */
final class OutboundLink {
    private static final Logger log = LoggerFactory.getLogger(OutboundLink.class);

    private enum State { CONNECTING, HANDSHAKING, OPEN, CLOSED }

    private final ClusterNode node;
    private final Shard shard;
    private final Member target;
    private final int targetShard;
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private final int limit;
    private State state = State.CONNECTING;
    private Connection connection;
    /** Bytes of the head frame already written (a frame may span two writes). */
    private int headOffset;
    private boolean writing;
    private boolean flushScheduled;

    OutboundLink(ClusterNode node, Shard shard, Member target, int targetShard) {
        this.node = node;
        this.shard = shard;
        this.target = target;
        this.targetShard = targetShard;
        this.limit = node.settings().outboundQueue();
    }

    Member target() {
        return target;
    }

    int targetShard() {
        return targetShard;
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    /** Connected and acknowledged by the remote shard. */
    boolean isOpen() {
        return state == State.OPEN;
    }

    /** Connects and sends the handshake. */
    void open() {
        Connection.connect(new InetSocketAddress(target.host(), target.port()), node.settings().connectTimeout())
                .whenComplete((c, failure) -> {
                    if (failure != null) {
                        fail("connecting", failure);
                    } else if (state == State.CLOSED) {
                        c.close();
                    } else {
                        connection = c;
                        handshake();
                    }
                });
    }

    private void handshake() {
        state = State.HANDSHAKING;
        Buffer out = BufferPool.current().acquire(Wire.HANDSHAKE_BYTES);
        out.writeBytes(Wire.handshake(targetShard, target.incarnation(), node.selfIncarnation()));
        connection.writeAll(out, node.settings().connectTimeout()).whenComplete((v, failure) -> {
            out.release();
            if (failure != null) {
                fail("sending the handshake", failure);
            }
        });
        Buffer ack = BufferPool.current().acquire(1);
        connection.read(ack, node.settings().connectTimeout()).whenComplete((n, failure) -> {
            boolean acknowledged = failure == null && n == 1 && ack.getByte(ack.readIndex()) == Wire.ACK;
            ack.release();
            if (state == State.CLOSED) {
                return;
            }
            if (!acknowledged) {
                fail("the handshake", failure != null ? failure
                        : new ClusterException(target + " refused the connection to its shard " + targetShard));
                return;
            }
            state = State.OPEN;
            // The peer never sends after its acknowledgement: anything from it is a protocol error, its end is ours.
            connection.receive(new Receiver() {
                @Override
                public void onData(Connection c, Buffer data) {
                    data.release();
                    fail("receiving", new ClusterException("unexpected bytes from " + target));
                }

                @Override
                public void onEnd(Connection c, Throwable why) {
                    fail("the connection", why != null ? why : new ClusterException(target + " closed the connection"));
                }
            });
            flush();
        });
    }

    /** Queues a frame (or counts a dead letter when the queue is full or the link closed). */
    void enqueue(byte[] frame) {
        if (state == State.CLOSED || frames.size() >= limit) {
            node.deadLetter();
            return;
        }
        frames.add(frame);
        if (state == State.OPEN && !writing && !flushScheduled) {
            flushScheduled = true;
            shard.execute(this::flush);
        }
    }

    /** Writes what is queued, in one buffer of up to the pool's largest size. */
    private void flush() {
        flushScheduled = false;
        if (state != State.OPEN || writing || frames.isEmpty()) {
            return;
        }
        BufferPool pool = BufferPool.current();
        long pending = -headOffset;
        for (byte[] frame : frames) {
            pending += frame.length;
            if (pending >= pool.maxBufferSize()) {
                break;
            }
        }
        Buffer out = pool.acquire((int) Math.min(pending, pool.maxBufferSize()));
        while (!frames.isEmpty() && out.writableBytes() > 0) {
            byte[] head = frames.peek();
            int n = Math.min(head.length - headOffset, out.writableBytes());
            out.writeBytes(head, headOffset, n);
            headOffset += n;
            if (headOffset == head.length) {
                frames.poll();
                headOffset = 0;
            }
        }
        writing = true;
        connection.writeAll(out).whenComplete((v, failure) -> {
            out.release();
            writing = false;
            if (failure != null) {
                fail("writing", failure);
            } else {
                flush();
            }
        });
    }

    /** Closes the link: what waits becomes dead letters, and the next tell opens a new link. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        node.deadLetters(frames.size());   // a frame half written is lost too: at most once
        frames.clear();
        headOffset = 0;
        if (connection != null && connection.isOpen()) {
            connection.close();
        }
        node.linkClosed(shard.id(), this);
    }

    private void fail(String during, Throwable failure) {
        if (state == State.CLOSED) {
            return;
        }
        log.warn("the link from shard {} to {} shard {} failed while {}: {} ({} messages become dead letters)",
                shard.id(), target, targetShard, during, failure.toString(), frames.size());
        close();
    }
}
