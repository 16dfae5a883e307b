package dev.atoll.cluster;

import dev.atoll.actors.ActorRef;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.io.Connection;
import dev.atoll.io.Receiver;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;

/**
 * A connection another node opened to this one: reads the handshake on the shard that accepted it,
 * moves the connection to the shard the handshake names, acknowledges, then decodes frames there and
 * tells each message to its exported actor (on that shard: straight into its mailbox). Anything that
 * breaks the protocol (wrong magic or version, a shard or incarnation that is not this node's, a frame
 * length out of bounds, a message that does not deserialize) closes this connection only.
 */
final class InboundConnection implements Receiver {
    private static final Logger log = LoggerFactory.getLogger(InboundConnection.class);
    /** How often a handshake that arrived while this node was between memberships is decided again. */
    private static final long RECHECK_MILLIS = 5;

    private final ClusterNode node;
    private final long senderIncarnation;
    private Connection connection;
    /** Bytes received and not yet decoded: [0, filled). */
    private byte[] pending = new byte[256];
    private int filled;

    private InboundConnection(ClusterNode node, long senderIncarnation) {
        this.node = node;
        this.senderIncarnation = senderIncarnation;
    }

    long senderIncarnation() {
        return senderIncarnation;
    }

    /** Closes this connection (on its shard), saying why. */
    void close(String why) {
        if (connection != null && connection.isOpen()) {
            log.info("closing the connection from {}: {}", connection.remoteAddress(), why);
            connection.close();
        }
    }

    /** The accepting shard's part: read the 24 handshake bytes (maybe in pieces), then move. */
    static void accept(ClusterNode node, Connection connection) {
        Buffer in = BufferPool.current().acquire(Wire.HANDSHAKE_BYTES);
        // Room for exactly the handshake: what a peer sends after it stays in the socket for the target shard.
        int skip = in.capacity() - Wire.HANDSHAKE_BYTES;
        in.advanceWriter(skip).advanceReader(skip);
        readHandshake(node, connection, in);
    }

    private static void readHandshake(ClusterNode node, Connection connection, Buffer in) {
        connection.read(in, node.settings().connectTimeout()).whenComplete((n, failure) -> {
            if (failure != null || n < 0) {
                in.release();
                connection.close();
                return;
            }
            if (in.readableBytes() < Wire.HANDSHAKE_BYTES) {
                readHandshake(node, connection, in);
                return;
            }
            byte[] h = new byte[Wire.HANDSHAKE_BYTES];
            in.readBytes(h, 0, h.length);
            in.release();
            admit(node, connection, h, Shard.current().nanoTime() + node.settings().connectTimeout().toNanos());
        });
    }

    /**
     * Accepts the handshake {@code h} (moves the connection to its shard and acknowledges) or refuses it
     * (closes the connection). While this node is between memberships (joining, or its ZooKeeper session
     * suspended or being replaced) the verdict waits, re-checked every {@value #RECHECK_MILLIS} ms until
     * {@code deadline}: a peer that has already read this node's new znode can connect before this node
     * has heard back that it created it, and a refusal would turn that peer's queued messages into dead
     * letters though the connection is about to be valid.
     */
    private static void admit(ClusterNode node, Connection connection, byte[] h, long deadline) {
        int shard = Wire.getShort(h, 6);
        long incarnation = Wire.getLong(h, 8);
        long sender = Wire.getLong(h, 16);
        MembershipProvider membership = node.membership();
        Member self = membership.self();
        boolean wellFormed = Wire.getInt(h, 0) == Wire.MAGIC && Wire.getShort(h, 4) == Wire.VERSION;
        boolean addressedHere = membership.isMember() && self != null && self.incarnation() == incarnation;
        Shard here = Shard.current();
        if (wellFormed && !addressedHere && isBetweenMemberships(membership.state()) && connection.isOpen()
                && here.nanoTime() < deadline) {
            here.schedule(Duration.ofMillis(RECHECK_MILLIS), () -> admit(node, connection, h, deadline));
            return;
        }
        String refusal = !wellFormed ? "not an Atoll cluster handshake"
                : !addressedHere ? "addressed to incarnation " + incarnation + ", this node is " + self + " (" + membership.state() + ")"
                : shard >= node.system().shardCount() ? "no shard " + shard
                : node.isGone(sender) ? "from incarnation " + sender + ", which is no longer a member" : null;
        if (refusal != null) {
            node.badFrame();
            log.warn("closing a connection from {}: {}", connection.remoteAddress(), refusal);
            connection.close();
            return;
        }
        connection.moveTo(shard, arrived -> {
            Buffer ack = BufferPool.current().acquire(1);
            ack.writeByte(Wire.ACK);
            arrived.writeAll(ack).whenComplete((v, e) -> ack.release());
            InboundConnection decoder = new InboundConnection(node, sender);
            decoder.connection = arrived;
            node.inboundOpened(shard, decoder);
            arrived.receive(decoder);
        });
    }

    /** Not a member now, but may be UP soon, as the incarnation a peer already addresses. */
    private static boolean isBetweenMemberships(SelfState state) {
        return state == SelfState.JOINING || state == SelfState.SUSPENDED || state == SelfState.DOWN;
    }

    @Override
    public void onData(Connection connection, Buffer data) {
        int n = data.readableBytes();
        if (pending.length - filled < n) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, filled + n));
        }
        data.readBytes(pending, filled, n);
        data.release();
        filled += n;
        int at = 0;
        while (filled - at >= 4) {
            int length = Wire.getInt(pending, at);
            if (length < 8 || length > node.settings().maxFrameSize() - 4) {   // no overflow: maxFrameSize <= 64 MiB
                refuse(connection, "a frame of " + length + " bytes (8 to " + (node.settings().maxFrameSize() - 4) + " allowed)");
                return;
            }
            if (filled - at < 4 + length) {
                break;
            }
            long id = Wire.getLong(pending, at + 4);
            Object message;
            try {
                message = node.serializer().fromBytes(pending, at + Wire.FRAME_HEADER, length - 8, node.refs());
            } catch (SerializationException e) {
                refuse(connection, e.getMessage());
                return;
            }
            at += 4 + length;
            deliver(id, message);
        }
        System.arraycopy(pending, at, pending, 0, filled - at);
        filled -= at;
    }

    @SuppressWarnings("unchecked")
    private void deliver(long id, Object message) {
        if (id == 0) {
            if (message instanceof Control control) {
                node.control(connection.shard().id(), control);
            } else {
                node.deadLetter();   // id 0 takes control messages only
            }
            return;
        }
        if (id < 0) {
            node.answer(-id, message);   // answer ids are negated ask ids
            return;
        }
        ActorRef<Object> target = (ActorRef<Object>) node.exported(id);
        if (target == null) {
            node.deadLetter();
        } else {
            node.countReceived();
            target.tell(message);
        }
    }

    private void refuse(Connection connection, String why) {
        node.badFrame();
        log.warn("closing the connection from {}: {}", connection.remoteAddress(), why);
        connection.close();
    }

    @Override
    public void onEnd(Connection connection, Throwable failure) {
        pending = null;
        node.inboundClosed(connection.shard().id(), this);
    }
}
