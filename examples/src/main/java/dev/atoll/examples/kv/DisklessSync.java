package dev.atoll.examples.kv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A diskless full sync's output (Redis's {@code repl-diskless-sync yes}): the bytes of the RDB the save's thread
 * makes ({@link RdbSave}) go to the connections of the sync's replicas, on their shards, as Redis's child writes them
 * to the replicas' sockets; no file is written. They are framed as Redis frames them for replicas that said
 * {@code capa eof}: {@code $EOF:<40 random characters>\r\n}, the RDB, and the 40 characters again.
 *
 * <p>The walk does not outrun a slow replica: the save's thread waits while a replica has more than
 * {@link #UNSENT_LIMIT} bytes of the RDB its socket has not taken, so the chunks pile up before it and the shards'
 * walks pause ({@link RdbSave#MAX_QUEUED}); a replica that takes nothing for {@code repl-timeout}, or holds more of
 * the stream than its output limit meanwhile, is dropped ({@link ReplicaLink}), and the transfer goes on for the
 * others.
 */
final class DisklessSync {
    /** Bytes of the RDB sent to a replica and not yet taken by its socket beyond which the save's thread waits. */
    static final long UNSENT_LIMIT = 1L << 20;
    private static final int MARK_LENGTH = 40;
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One replica of the sync: what the save's thread sent it, what its socket took (its shard publishes it). */
    static final class Target {
        final ReplicaLink link;
        final DisklessSync sync;
        /** Bytes of the RDB sent to its shard; the save's thread's only. */
        long sent;
        /** Bytes of the RDB its socket took (volatile: its shard writes, the save's thread reads). */
        volatile long taken;
        /** Its connection closed, or it was dropped (volatile: set on its shard or the home shard). */
        volatile boolean closed;

        Target(ReplicaLink link, DisklessSync sync) {
            this.link = link;
            this.sync = sync;
        }

        /** On its shard: its socket took bytes, or it closed; wakes the save's thread if it waits. */
        void progressed() {
            Thread waiting = sync.waiting;
            if (waiting != null) {
                LockSupport.unpark(waiting);
            }
        }
    }

    private final KvNode node;
    final List<Target> targets = new ArrayList<>();
    /** The end mark: 40 random hex digits, as Redis draws them. */
    final byte[] mark;
    /** The save's thread while it waits for a slow replica (volatile: the shards read it to wake it). */
    private volatile Thread waiting;

    DisklessSync(KvNode node, List<ReplicaLink> links) {
        this.node = node;
        for (ReplicaLink link : links) {
            targets.add(new Target(link, this));
        }
        byte[] random = new byte[MARK_LENGTH / 2];
        RANDOM.nextBytes(random);
        this.mark = java.util.HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
    }

    /** The line before the RDB: {@code $EOF:<mark>\r\n}. */
    byte[] header() {
        return ("$EOF:" + new String(mark, StandardCharsets.US_ASCII) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The target of {@code link}, or null. */
    Target targetOf(ReplicaLink link) {
        for (Target t : targets) {
            if (t.link == link) {
                return t;
            }
        }
        return null;
    }

    /** On the save's thread: the next bytes of the RDB to every replica still there, once none is too far behind. */
    void write(byte[] bytes) throws IOException {
        awaitReplicas();
        for (Target t : targets) {
            if (!t.closed) {
                t.sent += bytes.length;
                if (!node.runtime.execute(t.link.shard, () -> t.link.rdbBytes(t, bytes))) {
                    throw new IOException("the server stopped");
                }
            }
        }
    }

    /** On the save's thread: the RDB is whole; each replica gets the end mark, then the stream. */
    void end() throws IOException {
        for (Target t : targets) {
            if (!t.closed && !node.runtime.execute(t.link.shard, () -> t.link.rdbEnd(t))) {
                throw new IOException("the server stopped");
            }
        }
    }

    private void awaitReplicas() throws IOException {
        while (true) {
            boolean any = false;
            boolean behind = false;
            for (Target t : targets) {
                if (!t.closed) {
                    any = true;
                    behind |= t.sent - t.taken > UNSENT_LIMIT;
                }
            }
            if (!any) {
                throw new IOException("every replica of the diskless sync is gone"); // Redis kills its child then
            }
            if (!behind) {
                return;
            }
            if (node.stopped) {
                throw new IOException("the server stopped");
            }
            waiting = Thread.currentThread();
            LockSupport.parkNanos(this, WAIT_NANOS); // woken when a socket takes bytes; the bound re-checks the stop
            waiting = null;
        }
    }
}
