package dev.atoll.examples.kv;

/**
 * Redis's {@code min-replicas-to-write} and {@code min-replicas-max-lag}: a master with fewer replicas online whose
 * last acknowledgement ({@code REPLCONF ACK}, once a second from a Redis replica) is at most max-lag seconds old
 * refuses writes with Redis's {@code -NOREPLICAS}. Off while either is 0, and on a replica, as in Redis. Counted at
 * each write from {@link ReplicationMaster#replicas} (volatile fields, any shard's thread), where Redis counts once a
 * second: a lag is exact here rather than a whole number of seconds.
 */
final class MinReplicas {
    /** Redis's shared.noreplicaserr, word for word. */
    static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

    private MinReplicas() {
    }

    /** The refusal of a write now, or null when there are enough good replicas (or no minimum). */
    static String refusal(KvNode node) {
        Tunables t = node.tunables;
        if (t.minReplicasToWrite() == 0 || t.minReplicasMaxLag() == 0 || node.replica.isReplica()) {
            return null;
        }
        return good(node, t.minReplicasMaxLag()) >= t.minReplicasToWrite() ? null : NOREPLICAS;
    }

    /** The replicas online that acknowledged within {@code maxLagSeconds}. */
    private static int good(KvNode node, int maxLagSeconds) {
        long now = System.nanoTime();
        int good = 0;
        for (ReplicaLink link : node.replication.replicas) {
            long ack = link.ackNanos;
            if (link.online() && ack != 0 && now - ack <= maxLagSeconds * 1_000_000_000L) {
                good++;
            }
        }
        return good;
    }
}
