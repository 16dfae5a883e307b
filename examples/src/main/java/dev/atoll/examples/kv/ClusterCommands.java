package dev.atoll.examples.kv;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Redis Cluster's view of the server with {@code kv.shard-ports} on ({@link ShardPorts}): every shard
 * is a master node that owns a contiguous range of hash slots ({@link KeySlots}) and listens on its own
 * port. {@code CLUSTER SLOTS}, {@code NODES} and {@code SHARDS} are what cluster-aware clients read to
 * route each key to its shard; {@code INFO}, {@code MYID}, {@code KEYSLOT} and {@code READONLY},
 * {@code READWRITE}, {@code ASKING} (no-ops: there are no replicas and no slot moves) complete what they
 * send. Without shard ports each answers Redis's "cluster support disabled" error.
 */
final class ClusterCommands {
    static final String DISABLED = "ERR This instance has cluster support disabled";

    private final KvNode node;
    private final KvConnection connection;

    ClusterCommands(KvNode node, KvConnection connection) {
        this.node = node;
        this.connection = connection;
    }

    void command(Command command, Request r, ReplyWriter out) {
        if (!node.shardPorts.enabled()) {
            out.error(DISABLED);
            return;
        }
        if (command != Command.CLUSTER) {
            out.ok();   // READONLY, READWRITE, ASKING
            return;
        }
        String sub = r.string(1).toLowerCase(java.util.Locale.ROOT);
        int shards = node.shardCount();
        switch (sub) {
            case "info" -> out.verbatim(info(shards));
            case "myid" -> out.bulk(nodeId(connection.home.id));
            case "nodes" -> out.verbatim(nodes(shards));
            case "slots" -> slots(shards, out);
            case "shards" -> shards(shards, out);
            case "keyslot" -> {
                if (r.count() != 3) {
                    out.error(unknown(r));
                } else {
                    out.integer(KeySlots.slot(r.bytes, r.offset(2), r.length(2)));
                }
            }
            default -> out.error(unknown(r));
        }
    }

    private static String unknown(Request r) {
        return "ERR unknown subcommand or wrong number of arguments for '" + r.string(1) + "'. Try CLUSTER HELP.";
    }

    private String info(int shards) {
        return "cluster_state:ok\r\n"
                + "cluster_slots_assigned:" + KeySlots.SLOTS + "\r\n"
                + "cluster_slots_ok:" + KeySlots.SLOTS + "\r\n"
                + "cluster_slots_pfail:0\r\n"
                + "cluster_slots_fail:0\r\n"
                + "cluster_known_nodes:" + shards + "\r\n"
                + "cluster_size:" + shards + "\r\n"
                + "cluster_current_epoch:" + shards + "\r\n"
                + "cluster_my_epoch:" + (connection.home.id + 1) + "\r\n"
                + "cluster_stats_messages_sent:0\r\n"
                + "cluster_stats_messages_received:0\r\n"
                + "total_cluster_links_buffer_limit_exceeded:0\r\n";
    }

    /**
     * One line per shard as Redis 7.0 writes them: {@code id ip:port@cport flags master ping pong epoch
     * state slots}. {@code myself} marks the shard whose own port this connection came in on; through the
     * server's port no node is "myself" (that port is not a node's), so a client that starts there takes
     * every node from its address.
     */
    private String nodes(int shards) {
        String ip = announcedIp();
        StringBuilder b = new StringBuilder();
        for (int shard = 0; shard < shards; shard++) {
            int port = node.shardPorts.port(shard);
            boolean myself = shard == connection.home.id && port == connection.localPort();
            b.append(nodeId(shard)).append(' ').append(ip).append(':').append(port).append('@').append(busPort(port))
                    .append(myself ? " myself,master" : " master").append(" - 0 0 ").append(shard + 1)
                    .append(" connected ").append(KeySlots.firstSlot(shard, shards)).append('-')
                    .append(KeySlots.lastSlot(shard, shards)).append('\n');
        }
        return b.toString();
    }

    /** Each shard's range: {@code [first, last, [ip, port, id, {}]]}, as Redis 7.0 answers. */
    private void slots(int shards, ReplyWriter out) {
        String ip = announcedIp();
        out.arrayHeader(shards);
        for (int shard = 0; shard < shards; shard++) {
            out.arrayHeader(3).integer(KeySlots.firstSlot(shard, shards)).integer(KeySlots.lastSlot(shard, shards))
                    .arrayHeader(4).bulk(ip).integer(node.shardPorts.port(shard)).bulk(nodeId(shard)).mapHeader(0);
        }
    }

    /** Redis 7.0's CLUSTER SHARDS: per shard its slot range and its one node, a healthy master. */
    private void shards(int shards, ReplyWriter out) {
        String ip = announcedIp();
        out.arrayHeader(shards);
        for (int shard = 0; shard < shards; shard++) {
            out.mapHeader(2)
                    .bulk("slots").arrayHeader(2).integer(KeySlots.firstSlot(shard, shards)).integer(KeySlots.lastSlot(shard, shards))
                    .bulk("nodes").arrayHeader(1).mapHeader(7)
                    .bulk("id").bulk(nodeId(shard))
                    .bulk("port").integer(node.shardPorts.port(shard))
                    .bulk("ip").bulk(ip)
                    .bulk("endpoint").bulk(ip)
                    .bulk("role").bulk("master")
                    .bulk("replication-offset").integer(0)
                    .bulk("health").bulk("online");
        }
    }

    /**
     * The address clients reach the shards at: the one bound when it is an IP address other than a
     * wildcard, else ({@code 0.0.0.0}, {@code ::}, a host name) the one this connection came in on, as
     * Redis Cluster announces an IP.
     */
    private String announcedIp() {
        String host = node.shardPorts.host;
        boolean literal = host.matches("[0-9.]+") || host.contains(":");
        if (literal && !host.equals("0.0.0.0") && !host.equals("::")) {
            return host;
        }
        SocketAddress local = connection.localAddress();
        return local instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : "127.0.0.1";
    }

    /** Redis's cluster bus port is the client port + 10000; there is no bus here, so it is only a placeholder. */
    private static int busPort(int port) {
        return port + 10000 <= 65535 ? port + 10000 : 0;
    }

    /** A shard's node id: 40 hex digits, stable for the server's run and port, as a Redis node id is for its life. */
    private String nodeId(int shard) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update((node.startMillis + ":" + node.shardPorts.port(shard) + ":" + shard).getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha1.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }
}
