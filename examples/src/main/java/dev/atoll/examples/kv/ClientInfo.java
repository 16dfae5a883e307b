package dev.atoll.examples.kv;

import dev.atoll.io.Connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One connection's line of CLIENT LIST and CLIENT INFO, in Redis 7.0's format and field order. The
 * fields Redis has that mean nothing here keep Redis's value for a plain client ({@code db=0},
 * {@code ssub=0}, {@code multi=-1}, {@code user=default}, {@code redir=-1}); the buffers are this
 * server's: {@code qbuf} the bytes of a command not yet complete and {@code qbuf-free} the room left
 * in its array, {@code obl} the output not yet handed to the socket, {@code oll} the replies queued
 * behind another shard's, {@code omem} every byte of replies held for the client (what the output
 * limits count), {@code tot-mem} that and the query buffer. Built on the connection's shard.
 */
final class ClientInfo {
    private ClientInfo() {
    }

    static String line(KvConnection c, Connection connection, long heldBytes, long outputBytes, int queued,
                       int partialBytes, int inputCapacity) {
        long now = System.nanoTime();
        PubSub.Subscriptions subs = c.subscribed() ? c.subscriptions() : null;
        String flags = (c.fromMaster() ? "M" : "") + (c.isReplica() ? "S" : "") + (subs != null ? "P" : "") + (c.noEvict ? "e" : "");
        Command last = c.lastCommand;
        return "id=" + c.id
                + " addr=" + address(connection, true)
                + " laddr=" + address(connection, false)
                + " fd=" + connection.fd()
                + " name=" + (c.name == null ? "" : c.name)
                + " age=" + (now - c.createdNanos) / 1_000_000_000L
                + " idle=" + Math.max(0, now - c.lastActiveNanos) / 1_000_000_000L
                + " flags=" + (flags.isEmpty() ? "N" : flags)
                + " db=0"
                + " sub=" + (subs == null ? 0 : subs.channels.size())
                + " psub=" + (subs == null ? 0 : subs.patterns.size())
                + " ssub=" + (subs == null ? 0 : subs.shardChannels.size())
                + " multi=-1"
                + " qbuf=" + partialBytes
                + " qbuf-free=" + (inputCapacity - partialBytes)
                + " argv-mem=0 multi-mem=0"
                + " rbs=" + inputCapacity + " rbp=" + partialBytes
                + " obl=" + outputBytes
                + " oll=" + queued
                + " omem=" + heldBytes
                + " tot-mem=" + (heldBytes + inputCapacity)
                + " events=r"
                + " cmd=" + (last == null ? "NULL" : c.lastCommandSlot >= 0 ? CommandStats.name(c.lastCommandSlot) : last.lowerName)
                + " user=" + c.user.name + " redir=-1"
                + " resp=" + (c.resp3() ? 3 : 2);
    }

    /** The peer's (or this end's) address as Redis writes it, {@code ip:port}; {@code ?:0} once it is gone. */
    static String address(Connection connection, boolean peer) {
        try {
            SocketAddress a = peer ? connection.remoteAddress() : connection.localAddress();
            if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
                String host = inet.getAddress().getHostAddress();
                return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
            }
            return String.valueOf(a);
        } catch (RuntimeException e) { // IoException: the peer is gone
            return "?:0";
        }
    }
}
